// Single sign-on in a real browser (seed 003; SPEC T2, T15, T16): configure Salesforce OIDC in
// the UI, assign a cloud admin the OpenID idp, sign in through the stand-in provider; a
// Tableau-with-MFA admin still signs in with password and code.
import { expect, test } from "@playwright/test";
import { ADMIN, SECOND_ADMIN, hydrated, open, signInAs, signOut } from "./helpers";

test("SPEC T2 T15 T16: Salesforce SSO configured in the UI, then used to sign in", async ({ page }) => {
  // Signing the same admin in twice may wait for the next 30-second TOTP step (replay protection).
  test.setTimeout(150_000);
  await signInAs(page, ADMIN);

  // Authentication → single sign-on with Salesforce (no client id: the sandbox's stand-in).
  await page.getByRole("navigation").getByRole("link", { name: "Authentication" }).click();
  await expect(page.getByTestId("sso-state")).toHaveText("Single sign-on is off.");
  await page.getByLabel("Identity provider").selectOption("Salesforce");
  await page.getByLabel("Salesforce domain").fill("login.salesforce.com");
  await page.getByLabel("Enable single sign-on").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("auth-message")).toContainText("Saved");
  await expect(page.getByTestId("sso-state")).toHaveText("Single sign-on is on.");

  // Users → give the second admin the OpenID idp; add a new SSO admin too.
  await page.getByRole("navigation").getByRole("link", { name: "Users" }).click();
  const row = page.locator(`tr[data-user="${SECOND_ADMIN}"]`);
  const changed = page.waitForResponse((r) => r.url().includes("/_srv/set_admin_idp"));
  await row.getByRole("combobox").selectOption("OpenID");
  expect((await changed).status()).toBe(200);
  await expect(page.getByTestId("users-error")).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.locator(`tr[data-user="${SECOND_ADMIN}"]`).getByRole("combobox")).toHaveValue("OpenID");

  await page.getByTestId("add-admin").click();
  const dialog = page.getByRole("dialog", { name: "Add Cloud Administrator" });
  await dialog.getByLabel("User name").fill("nora@acme.example");
  await dialog.getByLabel("Identity provider").selectOption("OpenID");
  await dialog.getByRole("button", { name: "Add" }).click();
  await expect(page.getByRole("dialog", { name: "Cloud Administrator Added" })).toContainText("single sign-on");
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.locator('tr[data-user="nora@acme.example"]')).toBeVisible();

  // Sign out; sign in as the SSO admin through the stand-in Salesforce.
  await signOut(page);
  await page.getByRole("link", { name: "Sign in with Salesforce" }).click();
  await expect(page.getByRole("heading", { name: "Sign in with Salesforce" })).toBeVisible();
  await page.getByRole("button", { name: SECOND_ADMIN }).click();
  await page.waitForURL("/");
  await hydrated(page);
  await expect(page.getByTestId("user-name")).toHaveText("Omar Ops");

  // An MFA admin choosing SSO is told to use their password instead.
  await signOut(page);
  await page.getByRole("link", { name: "Sign in with Salesforce" }).click();
  await page.getByRole("button", { name: ADMIN }).click();
  await page.waitForURL(/\/signin\?sso_error=wrong_idp/);
  await expect(page.getByTestId("signin-error")).toContainText("Tableau with MFA");

  // …and still signs in with password and code.
  await signInAs(page, ADMIN);
  await expect(page.getByTestId("user-name")).toHaveText("Ava Admin");
});
