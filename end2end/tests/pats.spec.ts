// My Account Settings → Personal Access Tokens in a real browser (seed 000; SPEC T3, T7, T10).
import { expect, test } from "@playwright/test";
import { SECOND_ADMIN, signInAs } from "./helpers";

test("SPEC T3 T7 T10: create a PAT, sign in with it over REST, revoke it in the UI", async ({ page, context, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInAs(page, SECOND_ADMIN);
  await page.getByRole("navigation").getByRole("link", { name: "My Account Settings" }).click();
  await expect(page.getByRole("heading", { name: "Personal Access Tokens" })).toBeVisible();
  await expect(page.getByTestId("no-tokens")).toBeVisible();

  // A name is required.
  await page.getByTestId("create-token").click();
  const form = page.getByRole("dialog", { name: "Create Token" });
  await form.getByRole("button", { name: "Create Token" }).click();
  await expect(page.getByTestId("create-error")).toHaveText("Enter a token name.");

  await form.getByLabel("Token Name").fill("e2e-token");
  await expect(form.getByLabel("Expiration Date")).not.toHaveValue("");
  await form.getByRole("button", { name: "Create Token" }).click();

  // The secret is shown once; Copy Secret puts it on the clipboard.
  const dialog = page.getByRole("dialog", { name: "Personal Access Token" });
  const secret = (await dialog.getByTestId("pat-secret").textContent())!.trim();
  expect(secret).toMatch(/^[A-Za-z0-9+/]{22}==:[A-Za-z0-9_-]{43}$/);
  await dialog.getByRole("button", { name: "Copy Secret" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('tr[data-token-name="e2e-token"]')).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(page.getByTestId("pat-count")).toHaveText("1 of 104 tokens");

  // The same name again is refused.
  await page.getByTestId("create-token").click();
  await form.getByLabel("Token Name").fill("e2e-token");
  await form.getByRole("button", { name: "Create Token" }).click();
  await expect(page.getByTestId("create-error")).toContainText('already have a token named "e2e-token"');
  await form.getByRole("button", { name: "Cancel" }).click();

  // The secret signs in to the TCM REST API (seed 003 request body).
  const login = await request.post("/api/v1/pat/login", { data: { token: secret } });
  expect(login.status()).toBe(200);
  const session = await login.json();
  expect(Object.keys(session).sort()).toEqual(["sessionExpiration", "sessionToken", "tenantId", "userId"]);
  const list = await request.get("/api/v1/pat", { headers: { "x-tableau-session-token": session.sessionToken } });
  expect(list.status()).toBe(200);

  // Last used is shown after a reload.
  await page.reload();
  await page.waitForSelector('body[data-hydrated="true"]');
  await expect(page.locator('tr[data-token-name="e2e-token"]')).not.toContainText("Never");

  // Revoke Token → Delete dialog → Delete: the row goes and the secret stops working.
  await page.locator('tr[data-token-name="e2e-token"]').getByRole("button", { name: "Revoke Token" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete" });
  await expect(confirm).toContainText("e2e-token");
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.locator('tr[data-token-name="e2e-token"]')).toHaveCount(0);
  await expect(page.getByTestId("no-tokens")).toBeVisible();

  const again = await request.post("/api/v1/pat/login", { data: { token: secret } });
  expect(again.status()).toBe(401);
  expect((await again.json()).errorCode).toBe("NOT_AUTHENTICATED");
  const revokedSession = await request.get("/api/v1/pat", { headers: { "x-tableau-session-token": session.sessionToken } });
  expect(revokedSession.status()).toBe(401);
});
