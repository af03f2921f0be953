// Measures what a first visit to /login and to /requests costs over the wire, in Brotli:
// the page's HTML as the server sends it, and every stylesheet, script and WASM module the
// browser fetches until the page is hydrated and idle, each at the size of the precompressed
// `.br` file the server serves for it.
//
// The browser decides what is fetched: besides the preload links in the HTML, the split
// loader imports a page's WASM chunks on demand, so reading the HTML alone would miss them.
// Usage: node first-load.mjs BASE_URL SITE_ROOT [BUDGET_KB]
// Prints a Markdown table; exits 1 when a page is over the budget.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";
import { chromium } from "@playwright/test";

const [base, siteRoot, budgetArg] = process.argv.slice(2);
const budgetKb = Number(budgetArg ?? 250);

/** The compressed size of one asset: its .br file beside it in the site root. */
function assetSize(path) {
  const file = `${siteRoot}${path}`;
  try {
    return statSync(`${file}.br`).size;
  } catch {
    return brotliCompressSync(readFileSync(file)).length;
  }
}

/** The page's HTML, compressed as the server streams it (a middling Brotli level). */
async function htmlSize(path, cookie) {
  const response = await fetch(`${base}${path}`, { headers: { Accept: "text/html", Cookie: cookie } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  const html = Buffer.from(await response.text());
  return brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }).length;
}

async function signIn() {
  const response = await fetch(`${base}/api/auth/sign_in`, {
    method: "POST",
    // As the sign-in page sends it: the server refuses state changes from other origins.
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json", Origin: base },
    body: "email=client.east%40example.com&password=fssc-demo-2026",
  });
  if (!response.ok) throw new Error(`sign-in answered ${response.status}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("fssc_session="));
  return cookie.split(";")[0];
}

/** Every /pkg/ file a fresh browser (empty cache) fetches for its first visit to `path`. */
async function assetsOfFirstVisit(browser, path, cookie) {
  const context = await browser.newContext();
  if (cookie) {
    const at = cookie.indexOf("=");
    await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: base }]);
  }
  const page = await context.newPage();
  const assets = new Set();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/pkg/")) assets.add(url.pathname);
  });
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => window.__fsscHydrated === true, null, { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  await context.close();
  return assets;
}

const kb = (n) => (n / 1024).toFixed(1);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const cookie = await signIn();
let over = false;
const fetchedModules = new Set();
console.log(`| first load (Brotli) | HTML KB | CSS KB | JS KB | WASM KB | files | total KB | budget ${budgetKb} KB |`);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |");
for (const [path, session] of [["/login", ""], ["/requests", cookie]]) {
  const sizes = { html: await htmlSize(path, session), css: 0, js: 0, wasm: 0 };
  const assets = await assetsOfFirstVisit(browser, path, session);
  let files = 0;
  for (const asset of assets) {
    const kind = asset.split(".").pop();
    if (kind === "html" || !(kind in sizes)) continue;
    if (kind === "wasm") fetchedModules.add(asset.slice("/pkg/".length));
    sizes[kind] += assetSize(asset);
    files += 1;
  }
  const total = sizes.html + sizes.css + sizes.js + sizes.wasm;
  const within = total <= budgetKb * 1024;
  over ||= !within;
  console.log(
    `| \`${path}\` | ${kb(sizes.html)} | ${kb(sizes.css)} | ${kb(sizes.js)} | ${kb(sizes.wasm)} | ${files} | ${kb(total)} | ${within ? "within" : "**over**"} |`,
  );
}
await browser.close();

// What the split left where: the main module every page loads, and the modules the lazy
// pages load (each page's own and the chunks they share), as this build's split manifest
// names them (older builds' files may lie beside them).
const pkg = `${siteRoot}/pkg`;
const newest = readdirSync(pkg)
  .filter((name) => name.startsWith("__wasm_split_manifest") && name.endsWith(".json"))
  .sort((a, b) => statSync(`${pkg}/${b}`).mtimeMs - statSync(`${pkg}/${a}`).mtimeMs)[0];
const chunks = [...new Set(Object.values(JSON.parse(readFileSync(`${pkg}/${newest}`, "utf8"))).flat())].map((name) => `${name}.wasm`);
const main = [...fetchedModules].filter((name) => !chunks.includes(name));
const sum = (names, suffix) => names.reduce((total, name) => total + statSync(`${pkg}/${name}${suffix}`).size, 0);
const mb = (n) => (n / 1024 / 1024).toFixed(2);
console.log(
  `\nWASM: main module ${kb(sum(main, ""))} KB (${kb(sum(main, ".br"))} KB Brotli); ` +
    `${chunks.length} page modules and shared chunks, ${kb(sum(chunks, ""))} KB (${kb(sum(chunks, ".br"))} KB Brotli); ` +
    `${mb(sum(main, "") + sum(chunks, ""))} MB in all.`,
);
process.exitCode = over ? 1 : 0;
