import { createHmac } from "node:crypto";
import { expect, Page } from "@playwright/test";

export const ADMIN = "admin@acme.example";
export const SECOND_ADMIN = "ops@acme.example";
export const PASSWORD = "patio-demo-2026";

/** RFC 4648 base32 (no padding) to bytes. */
function base32Decode(s: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of s.replace(/=+$/, "").toUpperCase()) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`bad base32 character ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits), `stepOffset` steps from now. */
export function totp(secretBase32: string, stepOffset = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + stepOffset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", base32Decode(secretBase32)).update(counter).digest();
  const o = h[19] & 0x0f;
  const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 1_000_000).padStart(6, "0");
}

/** Navigates and waits until the page is hydrated (clicks before that would be lost). */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

export async function hydrated(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]');
}

export async function submitPassword(page: Page, user: string, password: string) {
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign In" }).click();
}

/**
 * Full first sign-in of a demo admin: password, enroll the authenticator, save recovery codes.
 * Returns the authenticator secret.
 */
export async function enrollAndSignIn(page: Page, user: string): Promise<string> {
  await open(page, "/signin");
  await submitPassword(page, user, PASSWORD);
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Verify and Continue" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL("/");
  await hydrated(page);
  return secret;
}

// Spec files share one server, so an admin enrolled by one file must sign in with the same
// authenticator in another: remember each admin's secret and last used TOTP step on disk.
import * as fs from "node:fs";
import * as path from "node:path";
const STORE = path.join(__dirname, "..", "..", "target", "e2e-data", "e2e-authenticators.json");

type Store = Record<string, { secret: string; lastStep: number }>;
function load(): Store {
  try {
    return JSON.parse(fs.readFileSync(STORE, "utf8"));
  } catch {
    return {};
  }
}
function save(s: Store) {
  fs.mkdirSync(path.dirname(STORE), { recursive: true });
  fs.writeFileSync(STORE, JSON.stringify(s));
}
const step = () => Math.floor(Date.now() / 1000 / 30);

/** Signs in a demo admin with password + code, enrolling them the first time. */
export async function signInAs(page: Page, user: string) {
  const store = load();
  const known = store[user];
  if (!known) {
    const secret = await enrollAndSignIn(page, user);
    store[user] = { secret, lastStep: step() };
    save(store);
    return;
  }
  await open(page, "/signin");
  await submitPassword(page, user, PASSWORD);
  // Each code is accepted once: use a step after the last one used (at most one ahead).
  let offset = Math.max(0, known.lastStep + 1 - step());
  while (offset > 1) {
    await page.waitForTimeout(1000);
    offset = Math.max(0, known.lastStep + 1 - step());
  }
  await page.getByLabel("Verification code").fill(totp(known.secret, offset));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL("/");
  await hydrated(page);
  store[user] = { secret: known.secret, lastStep: step() + offset };
  save(store);
}

export async function signOut(page: Page) {
  await page.getByTestId("sign-out").click();
  await page.waitForURL("/signin");
  await hydrated(page);
}

/** Records that `user`'s authenticator is `secret` and the code `offset` steps from now was used. */
export function remember(user: string, secret: string, offset: number) {
  const store = load();
  store[user] = { secret, lastStep: step() + offset };
  save(store);
}
