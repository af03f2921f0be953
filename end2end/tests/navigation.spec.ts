import { test, expect, type Page } from "@playwright/test";
import { signIn } from "./helpers";

/** Collects what the page reports as broken: console errors and uncaught exceptions. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}

/** Follows each link of the main navigation in turn, in the same document. */
async function visitAll(page: Page, stops: { link: string; url: RegExp; heading: string }[]) {
  await page.evaluate(() => ((window as any).__sameDocument = true));
  for (const stop of stops) {
    await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: stop.link, exact: true }).click();
    await expect(page).toHaveURL(stop.url);
    await expect(page.getByRole("heading", { level: 1, name: stop.heading })).toBeVisible();
    // Exactly one navigation entry is marked as the current page.
    await expect(page.locator('nav[aria-label="主导航"] [aria-current="page"]')).toHaveCount(1);
  }
  await page.getByTestId("bell").click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByRole("heading", { level: 1, name: "通知中心" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
}

test("a client reaches every page client-side, without a reload or a console error", async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, "client.east@example.com");
  await visitAll(page, [
    { link: "新建申请", url: /\/requests\/new$/, heading: "新建申请" },
    { link: "账户设置", url: /\/account$/, heading: "账户设置" },
    { link: "我的申请", url: /\/requests$/, heading: "我的申请" },
  ]);
  expect(problems).toEqual([]);
});

test("an agent reaches every page client-side, without a reload or a console error", async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, "agent1@example.com");
  await visitAll(page, [
    { link: "工作队列", url: /\/queue$/, heading: "工作队列" },
    { link: "常用回复", url: /\/canned-replies$/, heading: "常用回复" },
    { link: "全部申请", url: /\/requests$/, heading: "客户申请" },
    { link: "账户设置", url: /\/account$/, heading: "账户设置" },
  ]);
  expect(problems).toEqual([]);
});

test("an admin reaches every page client-side, without a reload or a console error", async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, "admin@example.com");
  await visitAll(page, [
    { link: "用户管理", url: /\/admin\/users$/, heading: "用户管理" },
    { link: "申请类型", url: /\/admin\/request-types$/, heading: "申请类型" },
    { link: "全部申请", url: /\/requests$/, heading: "客户申请" },
    { link: "账户设置", url: /\/account$/, heading: "账户设置" },
  ]);
  expect(problems).toEqual([]);
});

test("a request one may not see says so, with a heading and a way back", async ({ page }) => {
  await signIn(page, "client.west@example.com");
  const response = await page.goto("/requests/999999");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "无法查看此申请" })).toBeVisible();
  await page.getByRole("link", { name: "← 返回申请列表" }).click();
  await expect(page).toHaveURL(/\/requests$/);
});

test("each page names the WASM chunks it needs in its preload links, the same ones every time", async ({ page }) => {
  await signIn(page, "client.east@example.com");
  for (const path of ["/requests", "/requests/new", "/notifications", "/account"]) {
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const response = await page.request.get(path, { headers: { Accept: "text/html" } });
      expect(response.status()).toBe(200);
      const html = await response.text();
      const chunks = [...html.matchAll(/<link[^>]*href="(\/pkg\/chunk_[^"]+\.wasm)"[^>]*>/g)].map((m) => m[1]).sort();
      expect(chunks.length, `${path} preloads its chunks`).toBeGreaterThan(0);
      seen.add(chunks.join(" "));
    }
    expect(seen.size, `${path} names the same chunks on every request`).toBe(1);
  }
});
