import { test, expect } from "@playwright/test";
import { historyPort } from "../playwright.config";
import { hydrated, noSeriousViolations, signedInZh as as } from "./helpers";

// A portal with the demo's months of history: its past months have issued statements.
test.use({ baseURL: `http://127.0.0.1:${historyPort}` });

test("a statement credits a missed SLA; the contact downloads it, disputes a line, and the manager's correction reaches them", async ({ browser }) => {
  test.setTimeout(120_000);
  const contact = await as(browser, "contact.east@example.com");
  await contact.getByRole("link", { name: "结算单" }).click();
  await expect(contact.getByRole("heading", { level: 1, name: "服务结算单" })).toBeVisible();
  // Newest month first: last month's statement.
  await contact.getByTestId("statements").locator("tbody tr").first().getByRole("link").click();
  await expect(contact).toHaveURL(/\/statements\/\d+$/);
  await hydrated(contact);
  const issuedUrl = contact.url();

  // A line whose SLA was missed carries its credit and says why.
  const credited = contact.getByTestId("statement-lines").locator("tbody tr").filter({ hasText: /超时/ }).first();
  await expect(credited).toBeVisible();
  const reference = (await credited.getAttribute("data-reference")) ?? "";
  expect(reference).toMatch(/^FS-/);
  const totalBefore = await contact.getByTestId("statement-total").textContent();
  await noSeriousViolations(contact);

  // The CSV: a byte order mark, and the credited line with its reason.
  const csvHref = (await contact.getByRole("link", { name: "下载 CSV" }).getAttribute("href")) ?? "";
  const csv = await contact.request.get(csvHref);
  expect(csv.status()).toBe(200);
  const bytes = await csv.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const row = bytes.toString("utf8").split("\r\n").find((line) => line.startsWith(reference)) ?? "";
  expect(row).toMatch(/超时/);

  // The contact disputes that line; a reason is required.
  await credited.getByTestId("dispute-line").click();
  const form = contact.getByTestId("dispute-form");
  await form.getByRole("button", { name: "提交异议" }).click();
  await expect(form.locator(".field-error")).toContainText("原因");
  await form.getByLabel("异议原因").fill("该笔超时是中心原因，应全额免收");
  await form.getByRole("button", { name: "提交异议" }).click();
  await expect(contact.getByText("异议已提交，客户经理答复后会通知您。")).toBeVisible();
  await expect(credited.getByRole("link", { name: "待答复" })).toBeVisible();

  // The manager accepts it and waives the line: a corrected revision is issued.
  const manager = await as(browser, "manager@example.com");
  await manager.goto(issuedUrl);
  await hydrated(manager);
  const thread = manager.getByTestId("dispute").filter({ hasText: reference });
  await expect(thread).toContainText("该笔超时是中心原因，应全额免收");
  await noSeriousViolations(manager);
  await thread.getByLabel("答复").fill("核实为中心排班原因，本笔免收");
  await thread.getByLabel("更正后金额").fill("0");
  await thread.getByTestId("accept-dispute").click();
  await expect(thread.getByTestId("dispute-outcome")).toHaveText("已接受");
  await expect(manager.getByTestId("superseded")).toBeVisible();

  // The contact is told, reads the answer in the thread, and finds the corrected revision.
  await contact.goto("/notifications");
  await expect(contact.getByText(new RegExp(`答复了对账异议.*${reference}`))).toBeVisible();
  await contact.goto(issuedUrl);
  await hydrated(contact);
  await expect(contact.getByTestId("dispute-answer")).toHaveText("核实为中心排班原因，本笔免收");
  await expect(contact.getByTestId("statement-total")).toHaveText(totalBefore ?? "");
  await contact.getByRole("link", { name: "查看最新修订版" }).click();
  await expect(contact.getByTestId("correction")).toContainText(reference);
  await expect(contact.getByTestId("statement-corrections")).toBeVisible();
  await expect(contact.getByTestId("statement-total")).not.toHaveText(totalBefore ?? "");
  const correctedLine = contact.getByTestId("statement-lines").locator(`tr[data-reference="${reference}"]`);
  await expect(correctedLine.getByTestId("line-charge")).toContainText("0.00");
  await expect(correctedLine.getByTestId("line-charge")).toContainText("已更正");
  await noSeriousViolations(contact);

  // The dashboard counts the month's disputes.
  await manager.goto("/dashboard?period=this_month");
  await expect(manager.getByRole("heading", { level: 2, name: "对账异议" })).toBeVisible();
  // Last month's row (the newest): the demo's dispute still waits, this one was accepted.
  const lastMonth = manager.getByTestId("disputes-table").locator("tbody tr").last().locator("td");
  await expect(lastMonth.nth(1)).toHaveText("1");
  await expect(lastMonth.nth(3)).toHaveText("1");
  await noSeriousViolations(manager);
});
