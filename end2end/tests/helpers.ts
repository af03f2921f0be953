import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "fssc-demo-2026";

/** Waits until the WASM has hydrated the page, so clicks run client-side code. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__fsscHydrated === true, null, { timeout: 15_000 });
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/requests$/);
}
