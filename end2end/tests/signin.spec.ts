// Cloud-admin sign-in with "Tableau with MFA" in a real browser (SPEC T1, T2).
import { expect, test } from "@playwright/test";
import { ADMIN, PASSWORD, SECOND_ADMIN, enrollAndSignIn, hydrated, open, remember, submitPassword, totp } from "./helpers";

test("SPEC T2: first enrollment, sign out, sign back in with password and code", async ({ page }) => {
  // Pages are closed until sign-in.
  await page.goto("/sites");
  await expect(page).toHaveURL(/\/signin$/);

  const secret = await enrollAndSignIn(page, ADMIN);
  remember(ADMIN, secret, 0);
  await expect(page.getByTestId("tenant-name")).toHaveText("Acme Analytics");
  await expect(page.getByTestId("user-name")).toHaveText("Ava Admin");

  // The sections are reachable from the navigation.
  await page.getByRole("navigation").getByRole("link", { name: "Sites" }).click();
  await expect(page.getByTestId("sites-table").locator("tbody tr")).toHaveCount(2);
  await expect(page.getByTestId("sites-table")).toContainText("acmelegacy");
  await page.getByRole("navigation").getByRole("link", { name: "Activity" }).click();
  await expect(page.getByTestId("activity-table")).toContainText("mfa.enrolled");

  await page.getByTestId("sign-out").click();
  await page.waitForURL("/signin");
  await hydrated(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin$/);
  await hydrated(page);

  await submitPassword(page, ADMIN, PASSWORD);
  await expect(page.getByLabel("Verification code")).toBeVisible();
  // A wrong code shows the error and keeps the user on the code step.
  await page.getByLabel("Verification code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByTestId("signin-error")).toContainText("That code is not valid");
  // The enrollment code's step is used up (replay protection); the next step's code is valid.
  await page.getByLabel("Verification code").fill(totp(secret, 1));
  remember(ADMIN, secret, 1);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL("/");
  await expect(page.getByTestId("tenant-name")).toHaveText("Acme Analytics");
});

test("SPEC T1: a wrong password gets the generic error", async ({ page }) => {
  await open(page, "/signin");
  await submitPassword(page, SECOND_ADMIN, "not-the-password");
  await expect(page.getByTestId("signin-error")).toContainText("Sign-in failed");
  await expect(page).toHaveURL(/\/signin$/);
});
