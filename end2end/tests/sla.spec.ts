import { test, expect } from "@playwright/test";
import { hydrated, noSeriousViolations, signedInZh as as } from "./helpers";

test.describe.configure({ mode: "serial" });

/** Next year's New Year's Day off, and a make-up Saturday that works with Friday's hours. */
const ICS = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//State Council//2027 schedule//ZH",
  "BEGIN:VEVENT",
  "UID:2027-new-year@example.com",
  "DTSTART;VALUE=DATE:20270101",
  "DTEND;VALUE=DATE:20270102",
  "SUMMARY:元旦 休",
  "END:VEVENT",
  "BEGIN:VEVENT",
  "UID:2027-make-up@example.com",
  "DTSTART;VALUE=DATE:20270206",
  "DTEND;VALUE=DATE:20270207",
  "SUMMARY:春节调休 上班",
  "X-FSSC-WORKS-LIKE:fri",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

test("an admin imports a holiday file after seeing what it changes", async ({ browser }) => {
  test.setTimeout(60_000);
  const admin = await as(browser, "admin@example.com");
  await admin.getByRole("link", { name: "工作日历" }).click();
  await expect(admin).toHaveURL(/\/admin\/calendars$/);
  await hydrated(admin);
  const calendar = admin.getByTestId("calendar").first();
  await expect(calendar.getByRole("heading", { level: 2 })).toContainText("默认");
  await expect(calendar.locator("tr[data-date='2026-10-10']")).toContainText("调休上班");

  await calendar.getByLabel("日程文件").setInputFiles({ name: "2027.ics", mimeType: "text/calendar", buffer: Buffer.from(ICS) });
  const preview = calendar.getByTestId("import-preview");
  await expect(preview).toContainText("将新增 2 天、修改 0 天");
  await expect(preview.locator("[data-change=added]")).toHaveCount(2);
  await expect(calendar.locator("tr[data-date='2027-01-01']")).toHaveCount(0);
  await noSeriousViolations(admin);

  await calendar.getByRole("button", { name: "确认导入" }).click();
  await expect(admin.getByTestId("calendar").first().locator("tr[data-date='2027-01-01']")).toContainText("节假日");
  await expect(admin.getByTestId("calendar").first().locator("tr[data-date='2027-02-06']")).toContainText("调休上班（按周五的时段）");

  // A file that is no schedule is refused with the reason, and nothing changes.
  const again = admin.getByTestId("calendar").first();
  await again.getByLabel("日程文件").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from("2027-13-40,holiday\n") });
  await expect(again.getByRole("alert").first()).toContainText("第 1 行");
  await expect(again.getByTestId("import-preview")).toHaveCount(0);
});

/** Every minute of the day but the last is working time, so a pause of a few seconds always
 * holds working time, whenever the test runs: the due time visibly moves by it. */
const ROUND_THE_CLOCK = "00:00-23:59";

test("the request page shows both targets, pauses while the client is asked, and runs again", async ({ browser }) => {
  test.setTimeout(120_000);
  // An admin puts general queries on a round-the-clock calendar. Its one idle minute a day,
  // 23:59 in the calendar's zone, is kept hours away from now.
  const admin = await as(browser, "admin@example.com");
  await admin.goto("/admin/calendars");
  await hydrated(admin);
  const name = `全天候 ${Date.now()}`;
  const shanghaiHour = Number(new Intl.DateTimeFormat("en-GB", { hour: "2-digit", hourCycle: "h23", timeZone: "Asia/Shanghai" }).format(new Date()));
  const form = admin.getByRole("region", { name: "新建工作日历" });
  await form.getByLabel("日历名称").fill(name);
  await form.getByLabel("时区").fill(shanghaiHour === 23 ? "Europe/London" : "Asia/Shanghai");
  for (const day of ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]) {
    await form.getByLabel(`${day}工作时段`).fill(ROUND_THE_CLOCK);
  }
  await form.getByRole("button", { name: "新建日历" }).click();
  await expect(admin.locator(`[data-testid=calendar][data-calendar="${name}"]`)).toBeVisible();
  const assignments = admin.getByRole("region", { name: "团队与申请类型使用的日历" });
  await assignments.getByLabel("一般咨询", { exact: true }).selectOption({ label: name });
  await expect(assignments.getByRole("status")).toHaveText("已保存。");

  const client = await as(browser, "client.east@example.com");
  await client.goto("/requests/new");
  await hydrated(client);
  await client.getByLabel("申请类型").selectOption({ label: "一般咨询" });
  await client.getByLabel("标题").fill(`发票抬头问题 ${Date.now()}`);
  await client.getByRole("button", { name: "提交申请" }).click();
  await expect(client).toHaveURL(/\/requests\/\d+$/);
  await hydrated(client);
  const url = client.url();

  const clock = client.getByTestId("sla-clock");
  await expect(clock.getByRole("heading", { name: "办理时限" })).toBeVisible();
  const first = clock.locator("tr[data-target=first_response]");
  const resolution = clock.locator("tr[data-target=resolution]");
  await expect(first).toContainText("首次响应");
  await expect(resolution).toContainText("办结");
  await expect(resolution).toHaveAttribute("data-state", "running");
  await expect(resolution.getByTestId("remaining")).toContainText("小时");
  await expect(resolution.locator("time")).toHaveCount(1);
  await expect(clock).toContainText("计时没有暂停过。");
  await noSeriousViolations(client);
  const dueAt = async () => Date.parse((await resolution.locator("time").getAttribute("datetime")) ?? "");
  const dueBefore = await dueAt();
  expect(dueBefore).toBeGreaterThan(Date.now());

  // The agent asks; the client's open page shows the clock paused, with the question.
  const agent = await as(browser, "agent1@example.com");
  await agent.goto(url);
  await hydrated(agent);
  await agent.getByRole("button", { name: "认领", exact: true }).click();
  await expect(agent.getByTestId("owner")).toHaveText("张伟");
  await agent.getByRole("button", { name: "要求补充信息", exact: true }).click();
  await agent.getByLabel("需要客户提供什么", { exact: true }).fill("请提供开票单位的税号");
  const asked = Date.now();
  await agent.getByTestId("action-submit").click();
  await expect(agent.locator(".request-header .status")).toHaveText("待补充资料");

  await expect(resolution).toHaveAttribute("data-state", "paused");
  await expect(resolution).toContainText("暂停中，恢复后重新计算");
  await expect(first).toHaveAttribute("data-state", /met|breached/);
  await expect(clock.locator(".clock__pauses li[data-open=true]")).toContainText("请提供开票单位的税号");
  await expect(clock.locator(".clock__pauses li")).toContainText("仍在等待");

  // The client takes a while to find the answer: all of it is working time on this calendar.
  await client.waitForTimeout(3_000);

  // The client answers: the clock runs again, with the due time moved by the pause.
  await client.getByRole("button", { name: "回复", exact: true }).click();
  await client.getByLabel("消息", { exact: true }).fill("税号是 91310000MA1FL0XXXX");
  await client.getByTestId("action-submit").click();
  await expect(client.locator(".request-header .status")).toHaveText("处理中");
  const answered = Date.now();
  await expect(resolution).toHaveAttribute("data-state", "running");
  await expect(resolution.locator("time")).toHaveCount(1);
  const moved = (await dueAt()) - dueBefore;
  expect(moved, "the due time moves by the pause").toBeGreaterThanOrEqual(3_000);
  // No more than the pause, and the calendar's idle minute should the due time cross it.
  expect(moved, "and by no more than the pause").toBeLessThanOrEqual(answered - asked + 61_000);
  await expect(clock.locator(".clock__pauses li[data-open=false]")).toContainText("请提供开票单位的税号");
  await clock.getByText("时限如何计算").click();
  await expect(clock.locator(".clock__how")).toContainText(name);
  await noSeriousViolations(client);

  // General queries go back to the default calendar.
  await assignments.getByLabel("一般咨询", { exact: true }).selectOption({ label: "默认日历" });
  await expect(assignments.getByRole("status")).toHaveText("已保存。");
});
