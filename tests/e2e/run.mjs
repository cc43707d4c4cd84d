// End-to-end tests: serve dist/ on 127.0.0.1, drive headless Chromium with
// playwright-core, pick real files through the file input, click through the
// UI, check what is shown and what is exported (byte-identical to the CLI),
// and fail on any request to another origin or any CSP violation.
//
//   CUSTLENS_CLI=target/debug/custlens node tests/e2e/run.mjs [filter]
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const DATA = path.join(ROOT, 'tests/data');
const OUT = path.join(HERE, 'out');
const TOOLS = process.env.CUSTLENS_TOOLS || path.join(os.homedir(), '.cache/custlens');
const CLI = process.env.CUSTLENS_CLI || path.join(ROOT, 'target/debug/custlens');
const { chromium } = await import(path.join(TOOLS, 'node/node_modules/playwright-core/index.mjs'));
const filter = process.argv[2] || '';
fs.mkdirSync(OUT, { recursive: true });
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'custlens-e2e-'));

const { server, url: BASE } = await serve(path.join(ROOT, 'dist'));
const origin = new URL(BASE).origin;
const distFiles = new Set(fs.readdirSync(path.join(ROOT, 'dist')).map((f) => '/' + f));
distFiles.add('/');

/** A fresh browser (own profile) and page, with every request and CSP report recorded. */
async function open(locale = 'zh-CN') {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'custlens-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, locale, acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const log = { requests: [], problems: [] };
  ctx.on('request', (r) => log.requests.push(r.url()));
  page.on('pageerror', (e) => log.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) log.problems.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    window.__longest = 0;
    try {
      new PerformanceObserver((l) => l.getEntries().forEach((e) => { window.__longest = Math.max(window.__longest, e.duration); }))
        .observe({ type: 'longtask', buffered: true });
    } catch (_) { /* no long-task API */ }
  });
  await page.goto(BASE);
  await page.waitForSelector('[data-testid=file-input]');
  // Every worker has started its engine (what the benchmark waits for, too).
  await page.waitForSelector('html[data-engine=ready]', { state: 'attached' });
  const close = async () => {
    const csp = await page.evaluate(() => window.__csp).catch(() => []);
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
    for (const u of log.requests) {
      const p = new URL(u);
      if (p.protocol === 'blob:' || p.protocol === 'data:') continue;
      assert.equal(p.origin, origin, `request to another origin: ${u}`);
      assert.ok(distFiles.has(p.pathname), `request for something that is not an app file: ${u}`);
    }
    assert.deepEqual(csp, [], 'CSP violations');
    assert.deepEqual(log.problems, [], 'errors in the page');
  };
  return { page, close, log };
}

async function pick(page, file) {
  await page.setInputFiles('[data-testid=file-input]', file);
}

/** Drops a file on the drop zone, as a user dragging it from the desktop. */
async function drop(page, file) {
  const b64 = fs.readFileSync(file).toString('base64');
  const dt = await page.evaluateHandle(({ b64, name }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name));
    return dt;
  }, { b64, name: path.basename(file) });
  await page.dispatchEvent('[data-testid=drop-zone]', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('[data-testid=drop-zone]', 'drop', { dataTransfer: dt });
}

async function result(page) {
  await page.waitForSelector('[data-testid=rfm-result][data-done]', { timeout: 120_000 });
  return page.locator('[data-testid=rfm-result]');
}

/** Types `value` into the input `[data-testid=<testid>]` and tells the page it changed. */
async function enter(page, testid, value) {
  await page.fill(`[data-testid=${testid}]`, value);
  await page.dispatchEvent(`[data-testid=${testid}]`, 'change');
}

async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

function cli(args) {
  return execFileSync(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function cliRfm(file, extra = []) {
  const out = path.join(WORK, `cli-${Math.random().toString(36).slice(2)}.csv`);
  const rej = out.replace('.csv', '-rejects.csv');
  cli(['rfm', '--orders', file, '--out', out, '--rejects', rej, ...extra]);
  return { rfm: fs.readFileSync(out), rejects: fs.readFileSync(rej) };
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('GBK semicolon export: detected, hand-checked numbers, exports identical to the CLI', async () => {
  const { page, close } = await open('zh-CN');
  await pick(page, path.join(DATA, 'orders_gbk.csv'));
  const r = await result(page);
  assert.equal(await page.textContent('[data-testid=file-encoding]'), 'GBK/GB18030');
  assert.equal(await page.textContent('[data-testid=file-delimiter]'), '“;”');
  assert.equal(await r.getAttribute('data-customers'), '6');
  assert.equal(await r.getAttribute('data-orders'), '9');
  assert.equal(await r.getAttribute('data-snapshot'), '2024-04-01');
  assert.equal(await page.textContent('[data-testid=total-revenue]'), '4,575.00');
  assert.equal(await page.textContent('[data-testid=rows-set-aside]'), '4');
  const iv = page.locator('[data-testid=segment-table] tr[data-segment=ImportantValue]');
  assert.equal(await iv.locator('[data-col=customers]').textContent(), '1');
  assert.equal(await iv.locator('[data-col=revenue]').textContent(), '2,080.00');
  assert.equal(await page.getAttribute('[data-testid=reconcile]', 'data-ok'), 'true');
  assert.match(await page.textContent('[data-testid=reconcile]'), /读入 14 行 = 有效 10 行 \+ 搁置 4 行/);
  await page.click('[data-testid=preview] summary');
  const types = await page.$$eval('[data-testid=column-profile] tbody tr', (trs) => trs.map((tr) => [tr.dataset.col, tr.dataset.type]));
  assert.deepEqual(types.slice(0, 4), [['订单编号', 'Id'], ['会员编号', 'Category'], ['购买时间', 'DateTime'], ['实付金额（元）', 'Decimal']]);
  assert.equal(await page.locator('[data-testid=preview-rows] tbody tr').count(), 8);
  const rows = await page.locator('[data-testid=reject-rows] tbody tr td:first-child').allTextContents();
  assert.deepEqual(rows, ['9', '10', '11', '12']);
  await page.waitForSelector('[data-testid=segment-chart][data-drawn=true]');
  await page.screenshot({ path: path.join(OUT, 'gbk-result.png'), fullPage: true });
  const want = cliRfm(path.join(DATA, 'orders_gbk.csv'), ['--lang', 'zh-CN']);
  const got = await download(page, 'export-csv');
  assert.equal(got.name, 'custlens_rfm_2024-04-01.csv');
  assert.ok(got.bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 BOM');
  assert.ok(got.bytes.equals(want.rfm), 'browser and CLI per-customer exports differ');
  const rej = await download(page, 'export-rejects');
  assert.ok(rej.bytes.equals(want.rejects), 'browser and CLI rejects exports differ');
  await close();
});

test('sample data: preset, snapshot and language switch; chart drawn', async () => {
  const { page, close } = await open('en-US');
  await page.click('[data-testid=load-sample]');
  let r = await result(page);
  assert.equal(await page.textContent('h2#result-h'), '3 RFM segments');
  assert.equal(await page.locator('[data-testid=segment-table] tbody tr').count(), 8);
  const customers = Number(await r.getAttribute('data-customers'));
  assert.ok(customers > 19_000, `customers ${customers}`);
  await page.waitForSelector('[data-testid=segment-chart][data-drawn=true]');
  await page.screenshot({ path: path.join(OUT, 'sample-en.png'), fullPage: true });
  await page.selectOption('[data-testid=preset]', 'tiers5');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=segment-table] tbody tr').length === 5);
  const names = await page.locator('[data-testid=segment-table] tbody th').allTextContents();
  assert.ok(names[0].startsWith('High value'), names[0]);
  const shares = await page.locator('[data-testid=segment-table] [data-col=customer_share]').allTextContents();
  const total = shares.map((s) => parseFloat(s)).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 100) < 0.3, `shares add to ${total}`);
  await page.fill('[data-testid=snapshot]', '2025-06-30');
  await page.dispatchEvent('[data-testid=snapshot]', 'change');
  await page.waitForSelector('[data-testid=rfm-result][data-snapshot="2025-06-30"]');
  await page.click('[data-testid=lang-toggle]');
  await page.waitForFunction(() => document.querySelector('h2#result-h')?.textContent === '3 RFM 客户分层');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await page.screenshot({ path: path.join(OUT, 'sample-zh.png'), fullPage: true });
  const got = await download(page, 'export-csv');
  const sample = path.join(WORK, 'sample.csv');
  cli(['sample', '--orders', sample]);
  const want = cliRfm(sample, ['--preset', 'tiers5', '--snapshot', '2025-06-30', '--lang', 'zh-CN']);
  assert.ok(got.bytes.equals(want.rfm), 'sample export differs from the CLI');
  // Pareto: the same figures and ranking as `custlens pareto`.
  const pareto = page.locator('[data-testid=pareto]');
  await pareto.waitFor();
  await page.waitForSelector('[data-testid=pareto-chart][data-drawn=true]');
  const rankOut = path.join(WORK, 'pareto-rank.csv');
  const want2 = JSON.parse(cli(['pareto', '--orders', sample, '--json', '--out', rankOut]).toString());
  for (const [attr, key] of [['data-top20', 'top20_revenue_share'], ['data-c80', 'customers_for_80pct_share'], ['data-gini', 'gini']]) {
    const ours = Number(await pareto.getAttribute(attr));
    assert.ok(Math.abs(ours - want2[key]) <= 1e-12 * Math.abs(want2[key]), `${key}: browser ${ours}, CLI ${want2[key]}`);
  }
  assert.equal(Number(await pareto.getAttribute('data-customers')), want2.customers);
  assert.match(await page.textContent('[data-testid=pareto-top20]'), new RegExp(`${(want2.top20_revenue_share * 100).toFixed(1)}`));
  const rank = await download(page, 'export-pareto');
  assert.ok(rank.bytes.equals(fs.readFileSync(rankOut)), 'Pareto ranking differs from custlens pareto --out');
  await close();
});

test('headers that do not map: the user maps columns, then runs', async () => {
  const { page, close } = await open('en-US');
  await pick(page, path.join(DATA, 'orders_unmapped.csv'));
  await page.waitForSelector('[data-testid=mapping]');
  assert.match(await page.textContent('[data-testid=missing-fields]'), /Order time/);
  assert.ok(await page.isDisabled('[data-testid=run]'));
  assert.equal(await page.locator('[data-testid=rfm-result]').count(), 0);
  await page.selectOption('[data-testid=map-user_id]', { label: 'cust' });
  await page.selectOption('[data-testid=map-order_time]', { label: 'when' });
  await page.selectOption('[data-testid=map-amount]', { label: 'paid' });
  await page.click('[data-testid=run]');
  const r = await result(page);
  assert.equal(await r.getAttribute('data-customers'), '2');
  const got = await download(page, 'export-csv');
  const want = cliRfm(path.join(DATA, 'orders_unmapped.csv'),
    ['--map', 'user_id=cust', '--map', 'order_time=when', '--map', 'amount=paid', '--lang', 'en']);
  assert.ok(got.bytes.equals(want.rfm), 'mapped export differs from the CLI');
  // The same headers again: the saved mapping is applied and the file runs at once.
  await pick(page, path.join(DATA, 'orders_unmapped.csv'));
  await page.waitForSelector('[data-testid=mapping-reapplied]');
  assert.equal(await (await result(page)).getAttribute('data-customers'), '2');
  // Stored encrypted: local storage holds one ciphertext (no field or header readable in it), under a key
  // WebCrypto made non-extractable and keeps in IndexedDB.
  const stored = await page.evaluate(() => Object.entries(localStorage));
  assert.equal(stored.length, 1);
  assert.match(stored[0][0], /^custlens\.mapping\.v2\.[0-9a-f]{16}$/);
  assert.match(stored[0][1], /^[0-9a-f]{80,}$/);
  for (const word of ['amount', 'order_time', 'user_id', 'cust', 'when', 'paid']) assert.ok(!stored[0][1].includes(word));
  const key = await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('custlens');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('keys').objectStore('keys').get('local-storage-key.v1');
      get.onsuccess = () => resolve({ type: get.result.type, extractable: get.result.extractable, alg: get.result.algorithm.name,
        bits: get.result.algorithm.length, usages: get.result.usages });
    };
  }));
  assert.deepEqual(key, { type: 'secret', extractable: false, alg: 'AES-GCM', bits: 256, usages: ['encrypt', 'decrypt'] });
  await page.click('[data-testid=forget-mapping]');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await pick(page, path.join(DATA, 'orders_unmapped.csv'));
  await page.waitForSelector('[data-testid=mapping]');
  assert.equal(await page.locator('[data-testid=mapping-reapplied]').count(), 0);
  await close();
});

test('Excel, UTF-16 and UTF-8 BOM files', async () => {
  const { page, close } = await open('zh-CN');
  for (const [file, customers, format] of [
    ['orders.xlsx', '4', 'Excel (.xlsx)'], ['orders_utf16.txt', '2', 'CSV'], ['orders_utf8_bom.csv', '3', 'CSV']]) {
    await pick(page, path.join(DATA, file));
    const r = await result(page);
    assert.equal(await page.textContent('[data-testid=file-name]'), file);
    assert.equal(await page.textContent('[data-testid=file-format]'), format);
    assert.equal(await r.getAttribute('data-customers'), customers, file);
    const got = await download(page, 'export-csv');
    assert.ok(got.bytes.equals(cliRfm(path.join(DATA, file)).rfm), `${file}: export differs from the CLI`);
    await page.click('[data-testid=run-clean]');
    await page.waitForSelector(`[data-testid=quality][data-rows-in="${await r.getAttribute('data-rows')}"]`);
  }
  await close();
});

test('bad files get a clear message', async () => {
  const { page, close } = await open('en-US');
  for (const [file, text] of [
    ['not_a_table.csv', 'not_a_table.csv: this is not a text table'],
    ['header_only.csv', 'header_only.csv: the file has a header row but no data rows'],
    ['empty.csv', 'empty.csv: the file is empty']]) {
    await pick(page, path.join(DATA, file));
    await page.waitForSelector('[data-testid=error]');
    assert.match(await page.textContent('[data-testid=error]'), new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  }
  await close();
});

test('drag and drop; messages in Chinese', async () => {
  const { page, close } = await open('zh-CN');
  await drop(page, path.join(DATA, 'orders_gbk.csv'));
  const r = await result(page);
  assert.equal(await r.getAttribute('data-customers'), '6');
  await drop(page, path.join(DATA, 'not_a_table.csv'));
  await page.waitForSelector('[data-testid=error]');
  assert.match(await page.textContent('[data-testid=error]'), /not_a_table\.csv:这不是文本表格或 Excel 工作簿/);
  await drop(page, path.join(DATA, 'orders_unmapped.csv'));
  await page.waitForSelector('[data-testid=mapping]');
  assert.match(await page.textContent('[data-testid=missing-fields]'), /下单时间/);
  await close();
});

test('cleaning in the browser: kind detected, quality report, files identical to custlens clean', async () => {
  const { page, close } = await open('zh-CN');
  const file = path.join(DATA, 'customers_messy.csv');
  await pick(page, file);
  await page.waitForSelector('[data-testid=clean]');
  assert.equal(await page.getAttribute('[data-testid=detected-kind]', 'data-kind'), 'customers');
  assert.equal(await page.locator('[data-testid=rfm-result]').count(), 0, 'a customers file does not run RFM');
  await page.click('[data-testid=run-clean]');
  const q = page.locator('[data-testid=quality]');
  await q.waitFor();
  assert.equal(await q.getAttribute('data-rows-in'), '8');
  assert.equal(await q.getAttribute('data-rows-out'), '6');
  assert.equal(await page.getAttribute('[data-testid=clean-reconcile]', 'data-ok'), 'true');
  assert.match(await page.textContent('[data-testid=clean-reconcile]'), /读入 8 行 = 保留 6 行 \+ 搁置 2 行/);
  const reasons = await page.$$eval('[data-testid=quality-set-aside] tr', (trs) => trs.map((tr) => tr.dataset.key));
  assert.deepEqual(reasons, ['duplicate_row', 'missing_value']);
  await page.screenshot({ path: path.join(OUT, 'clean-quality.png'), fullPage: true });
  const out = path.join(WORK, 'clean-cli');
  cli(['clean', '--kind', 'customers', '--input', file, '--out', out, '--lang', 'zh-CN']);
  for (const name of ['clean.csv', 'set_aside.csv', 'changes.csv', 'quality.json']) {
    const got = await download(page, `export-${name}`);
    assert.equal(got.name, name);
    assert.ok(got.bytes.equals(fs.readFileSync(path.join(out, name))), `${name} differs from custlens clean`);
  }
  const outX = path.join(WORK, 'clean-cli-xlsx');
  cli(['clean', '--kind', 'customers', '--input', file, '--out', outX, '--lang', 'zh-CN', '--format', 'xlsx']);
  const book = await download(page, 'export-clean.xlsx');
  assert.ok(book.bytes.equals(fs.readFileSync(path.join(outX, 'clean.xlsx'))), 'clean.xlsx differs from custlens clean --format xlsx');
  // The same file cleaned as another kind: the user's choice wins.
  await page.selectOption('[data-testid=kind]', 'orders');
  await page.click('[data-testid=run-clean]');
  await page.waitForSelector('[data-testid=quality][data-kind=orders]');
  await close();
});

test('the cleaning recipe edited in the page: a rule added, a fill method and a type changed, a bad threshold refused; files identical to custlens clean --recipe; the recipe applies to sources of the kind', async () => {
  const file = path.join(DATA, 'customers_messy.csv');
  const { page, close } = await open('zh-CN');
  await pick(page, file);
  await page.click('[data-testid=run-clean]');
  await page.waitForSelector('[data-testid=quality][data-rows-out="6"]');
  await page.click('[data-testid=recipe] summary');
  const steps = () => page.$$eval('[data-testid=recipe-steps] > li', (lis) => lis.map((li) => li.dataset.step));
  assert.deepEqual((await steps()).slice(0, 3), ['exact_duplicates', 'too_many_fields', 'require_fields']);
  // A business rule: customers older than 50 are set aside. Each change cleans again at once.
  await page.selectOption('[data-testid=add-step]', 'rule');
  const rule = page.locator('[data-testid=recipe-steps] > li[data-step=rule]');
  await rule.waitFor();
  await rule.locator('[data-testid=step-column]').selectOption({ label: '年龄' });
  await rule.locator('[data-testid=step-op]').selectOption('gt');
  await rule.locator('[data-testid=step-value]').fill('50');
  await rule.locator('[data-testid=step-value]').dispatchEvent('change');
  await rule.locator('[data-testid=step-name]').fill('over_50');
  await rule.locator('[data-testid=step-name]').dispatchEvent('change');
  await page.locator('[data-testid=recipe-steps] > li[data-step=rule] [data-testid=step-action]').selectOption('set_aside');
  await page.waitForSelector('[data-testid=quality][data-rows-out="5"] [data-testid=quality-set-aside] tr[data-key=business_rule]');
  assert.equal(await page.getAttribute('[data-testid=recipe]', 'data-edited'), 'true');
  // Only a row rule changed: the standardised values were reused.
  await page.waitForSelector('[data-testid=recipe-reused]');
  // Missing ages filled with the median instead of automatically; a type set for a column in the preview becomes a step.
  await page.locator('[data-testid=recipe-steps] > li[data-step=fill_missing] li[data-field=age] [data-testid=fill-method]').selectOption('median');
  await page.waitForSelector('[data-testid=quality-changes] tr[data-key=fill_median]');
  await page.click('[data-testid=preview] summary');
  await page.locator('[data-testid=column-profile] tr[data-col=会员等级] [data-testid=type-override]').selectOption('Category');
  await page.waitForSelector('[data-testid=recipe-steps] > li[data-step=column_type]');
  // A vocabulary for another field: member levels written one way.
  await page.selectOption('[data-testid=add-step]', 'vocabulary');
  const vocab = page.locator('[data-testid=recipe-steps] > li[data-step=vocabulary]');
  await vocab.locator('[data-testid=step-field]').selectOption('member_level');
  await page.waitForSelector('[data-testid=recipe-steps] > li[data-step=vocabulary] [data-testid=step-field] option[value=member_level][selected]', { state: 'attached' });
  await page.locator('[data-testid=recipe-steps] > li[data-step=vocabulary] [data-testid=step-entries]').fill('金卡=黄金会员\n钻石=钻石会员');
  await page.locator('[data-testid=recipe-steps] > li[data-step=vocabulary] [data-testid=step-entries]').dispatchEvent('change');
  await page.waitForSelector('[data-testid=quality-changes] tr[data-key=vocabulary]');
  // A percentile above 1 is refused with the step named; the recipe is not run until it is fixed.
  await page.selectOption('[data-testid=add-step]', 'outliers');
  const outliers = page.locator('[data-testid=recipe-steps] > li[data-step=outliers]');
  await outliers.locator('[data-testid=step-column]').selectOption({ label: '年龄' });
  await page.locator('[data-testid=recipe-steps] > li[data-step=outliers] [data-testid=step-method]').selectOption('percentile');
  await page.locator('[data-testid=recipe-steps] > li[data-step=outliers] [data-testid=step-param]').fill('1.5');
  await page.locator('[data-testid=recipe-steps] > li[data-step=outliers] [data-testid=step-param]').dispatchEvent('change');
  await page.waitForSelector('[data-testid=recipe-steps][data-errors="1"] li[data-step=outliers] [data-testid=step-problem][data-error=true]');
  assert.match(await page.textContent('li[data-step=outliers] [data-testid=step-problem]'), /p = 1\.5/);
  await page.locator('[data-testid=recipe-steps] > li[data-step=outliers] [data-testid=step-remove]').click();
  await page.waitForSelector('[data-testid=recipe-steps][data-errors="0"]');
  await page.screenshot({ path: path.join(OUT, 'recipe-editor.png'), fullPage: true });
  // The recipe saved from the page gives the CLI the very same files.
  const recipe = await download(page, 'export-recipe.json');
  const recipeFile = path.join(WORK, 'edited-recipe.json');
  fs.writeFileSync(recipeFile, recipe.bytes);
  const steps2 = JSON.parse(recipe.bytes.toString('utf8')).steps.map((s) => s.step);
  assert.ok(steps2.includes('rule') && steps2.includes('column_type') && steps2.includes('vocabulary') && !steps2.includes('outliers'), `saved steps: ${steps2}`);
  const out = path.join(WORK, 'recipe-cli');
  cli(['clean', '--kind', 'customers', '--input', file, '--recipe', recipeFile, '--out', out]);
  for (const name of ['clean.csv', 'set_aside.csv', 'changes.csv', 'quality.json']) {
    const got = await download(page, `export-${name}`);
    assert.ok(got.bytes.equals(fs.readFileSync(path.join(out, name))), `${name} differs from custlens clean --recipe`);
  }
  // The same recipe applies to a source of this kind; back to the default, the source is cleaned again.
  await page.setInputFiles('[data-testid=sources-input]', [file]);
  const src = page.locator('[data-testid=source-list] tbody tr[data-file="customers_messy.csv"]');
  await src.waitFor({ timeout: 60_000 });
  assert.equal(await src.getAttribute('data-rows-out'), '5');
  await page.click('[data-testid=recipe-reset]');
  await page.waitForSelector('[data-testid=source-list] tbody tr[data-file="customers_messy.csv"][data-rows-out="6"]');
  await page.waitForSelector('[data-testid=quality][data-rows-out="6"]');
  // A recipe file loaded from disk is used as it is.
  await page.setInputFiles('[data-testid=recipe-load]', recipeFile);
  await page.waitForSelector('[data-testid=quality][data-rows-out="5"]');
  await close();
});

test('adjusting a mapping: a column the headers do not name is chosen by the user, in the cleaning card and for a source; files identical to custlens clean --map', async () => {
  const file = path.join(DATA, 'customers_territory.csv');
  const { page, close } = await open('zh-CN');
  await pick(page, file);
  // A customers table: its own fields are offered, and nothing is scored.
  await page.waitForSelector('[data-testid=mapping][data-kind=customers]');
  assert.equal(await page.locator('[data-testid=run]').count(), 0, 'no RFM button for a customers table');
  assert.equal(await page.inputValue('[data-testid=map-province]'), '', '"Territory" is not recognised as the province');
  await page.selectOption('[data-testid=map-province]', { label: 'Territory' });
  await page.click('[data-testid=run-clean]');
  await page.waitForSelector('[data-testid=quality] [data-testid=quality-changes] tr[data-key=province]');
  const out = path.join(WORK, 'territory-cli');
  cli(['clean', '--kind', 'customers', '--input', file, '--out', out, '--map', 'province=Territory']);
  for (const name of ['clean.csv', 'changes.csv', 'quality.json']) {
    const got = await download(page, `export-${name}`);
    assert.ok(got.bytes.equals(fs.readFileSync(path.join(out, name))), `${name} differs from custlens clean --map`);
  }
  // The choice is saved for these headers: the same file as a source of the customer view uses it at once.
  await page.setInputFiles('[data-testid=sources-input]', [file]);
  const row = page.locator('[data-testid=source-list] tbody tr[data-file="customers_territory.csv"]');
  await row.waitFor({ timeout: 60_000 });
  assert.ok((await row.getAttribute('data-fields')).split(',').includes('province'), 'saved mapping reapplied to the source');
  // Unmapping it in the sources card reads that source again without it.
  await row.locator('[data-testid=source-columns-toggle]').click();
  const cols = page.locator('[data-testid=source-columns][data-for="customers_territory.csv"]');
  await cols.waitFor();
  assert.match(await cols.textContent(), /浙江/, 'sample values beside the mapping');
  await cols.locator('[data-testid=map-province]').selectOption('');
  await page.waitForFunction(() => {
    const tr = document.querySelector('[data-testid=source-list] tbody tr[data-file="customers_territory.csv"]');
    return tr && !tr.dataset.fields.split(',').includes('province');
  });
  // Unmapping a required field is refused with a message naming it; the source stays as it was.
  // The columns stay open after the source is read again.
  await page.locator('[data-testid=source-columns] [data-testid=map-user_id]').selectOption('');
  await page.waitForSelector('[data-testid=sources-error]');
  assert.match(await page.textContent('[data-testid=sources-error]'), /customers_territory\.csv/);
  assert.ok((await row.getAttribute('data-fields')).split(',').includes('user_id'));
  await page.screenshot({ path: path.join(OUT, 'mapping-adjust.png'), fullPage: true });
  await close();
});

test('several sources: kinds detected and changed, unified view, undo a match, confirm a merge; files identical to custlens unify', async () => {
  const dir = path.join(WORK, 'sources');
  cli(['sample', '--customers', '1500', '--seed', '3', '--dir', dir]);
  const names = ['customers', 'orders', 'tickets', 'surveys', 'events'].map((k) => path.join(dir, `sample_${k}.csv`));
  const { page, close } = await open('zh-CN');
  await page.setInputFiles('[data-testid=sources-input]', names);
  const unified = page.locator('[data-testid=unified]');
  await unified.waitFor({ timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  const kinds = await page.$$eval('[data-testid=source-list] tbody tr', (trs) => trs.map((tr) => tr.dataset.kind));
  assert.deepEqual(kinds, ['customers', 'orders', 'tickets', 'surveys', 'events']);
  const unifyCli = (extra = []) => {
    const out = path.join(WORK, `unify-${Math.random().toString(36).slice(2)}`);
    cli(['unify', ...names.flatMap((n) => ['--input', n]), '--out', out, ...extra]);
    return { out, report: JSON.parse(fs.readFileSync(path.join(out, 'unify.json'), 'utf8')) };
  };
  const same = async (out, files = ['customers.csv', 'identities.csv', 'merges.csv']) => {
    for (const name of files) {
      const got = await download(page, `export-unify-${name}`);
      assert.equal(got.name, `custlens_${name}`);
      assert.ok(got.bytes.equals(fs.readFileSync(path.join(out, name))), `${name} differs from custlens unify`);
    }
  };
  let cliRun = unifyCli();
  const s = cliRun.report.summary;
  assert.equal(await unified.getAttribute('data-customers'), String(s.customers));
  assert.equal(await unified.getAttribute('data-orphans'), String(s.orphans));
  assert.equal(await unified.getAttribute('data-matched'), String(s.matched_ids));
  assert.equal(await unified.getAttribute('data-reconciles'), 'true');
  assert.ok(s.orphans > 0 && s.matched_ids > 0 && s.merges_proposed > 0, JSON.stringify(s));
  assert.match(await page.textContent('[data-testid=unify-summary]'), new RegExp(`共 ${s.customers.toLocaleString('en-US')} 位客户`));
  await same(cliRun.out);
  const bookDir = path.join(WORK, 'unify-xlsx');
  cli(['unify', ...names.flatMap((n) => ['--input', n]), '--out', bookDir, '--format', 'xlsx']);
  const book = await download(page, 'export-unify-unify.xlsx');
  assert.ok(book.bytes.equals(fs.readFileSync(path.join(bookDir, 'unify.xlsx'))), 'unify.xlsx differs from custlens unify --format xlsx');
  await page.screenshot({ path: path.join(OUT, 'unified.png'), fullPage: true });

  // Ids are masked on screen; undo the first id match: its rows become an orphan; the CLI agrees
  // (the CLI needs the raw id: the first match of an unmasked run, lists in the same order).
  await page.click('[data-testid=matches] summary');
  const shownId = await page.getAttribute('[data-testid=matches] tbody tr', 'data-id');
  const rawIds = fs.readFileSync(path.join(unifyCli(['--unmasked']).out, 'identities.csv'), 'utf8').split(/\r?\n/);
  const firstMatch = rawIds.find((l) => l.startsWith('matched,')).split(',')[2];
  assert.notEqual(shownId, firstMatch, 'the id on screen is masked');
  assert.ok(/\*{3}/.test(shownId), shownId);
  await page.click('[data-testid=matches] tbody tr >> [data-testid=match-undo]');
  await page.waitForSelector(`[data-testid=undone] li[data-id="${shownId}"]`);
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  await same(unifyCli(['--undo-match', firstMatch]).out, ['customers.csv', 'identities.csv']);
  await page.click(`[data-testid=undone] li[data-id="${shownId}"] [data-testid=match-restore]`);
  await page.waitForSelector('[data-testid=undone]', { state: 'detached' });
  // Nothing personal from the CRM file is on the page.
  const crmPhones = fs.readFileSync(names[0], 'utf8').split(/\r?\n/).slice(1).map((l) => l.split(',')[2]).filter(Boolean);
  const pageText = await page.evaluate(() => document.body.innerText + document.body.innerHTML);
  assert.ok(!crmPhones.some((ph) => pageText.includes(ph)), 'a raw phone number is on the page');

  // Confirm the first duplicate-customer merge: one customer fewer; the CLI agrees.
  const keep = await page.getAttribute('[data-testid=merges] tbody tr', 'data-keep');
  await page.click('[data-testid=merges] tbody tr >> [data-testid=merge-toggle]');
  await page.waitForSelector('[data-testid=unified][data-merged="1"]');
  assert.equal(await unified.getAttribute('data-customers'), String(s.customers - 1));
  await same(unifyCli(['--accept-merges', keep]).out);

  // Cross-tab of two columns of the unified table: the same test as `custlens crosstab` on customers.csv.
  await page.waitForSelector('[data-testid=crosstab]');
  await page.selectOption('[data-testid=crosstab-rows]', { label: 'gender' });
  await page.selectOption('[data-testid=crosstab-cols]', { label: 'member_level' });
  await page.click('[data-testid=run-crosstab]');
  const xt = page.locator('[data-testid=crosstab-result]');
  await xt.waitFor();
  const merged = unifyCli(['--accept-merges', keep]).out;
  const wantX = JSON.parse(cli(['crosstab', '--input', path.join(merged, 'customers.csv'), '--rows', 'gender', '--cols', 'member_level', '--json']).toString());
  for (const [attr, key] of [['data-chi2', 'chi2'], ['data-p', 'p_value'], ['data-v', 'cramers_v']]) {
    const ours = Number(await xt.getAttribute(attr));
    assert.ok(Math.abs(ours - wantX[key]) <= 1e-12 * Math.abs(wantX[key]), `${key}: browser ${ours}, CLI ${wantX[key]}`);
  }
  assert.equal(await xt.getAttribute('data-dof'), String(wantX.dof));
  const firstRow = await page.$$eval('[data-testid=crosstab-table] tbody tr:first-child td', (tds) => tds.map((td) => td.textContent.replace(/,/g, '')));
  assert.deepEqual(firstRow.slice(0, -1).map(Number), wantX.table.counts[0]);
  await page.selectOption('[data-testid=crosstab-show]', 'row_pct');
  assert.match(await page.textContent('[data-testid=crosstab-table] tbody tr:first-child td'), /%$/);
  // Binned age × member level: small expected counts are warned about.
  await page.selectOption('[data-testid=crosstab-rows]', { label: 'age' });
  await page.fill('[data-testid=crosstab-row-bins]', '12');
  await page.dispatchEvent('[data-testid=crosstab-row-bins]', 'change');
  await page.click('[data-testid=run-crosstab]');
  await page.waitForSelector('[data-testid=crosstab-result] [data-testid=crosstab-table] tbody tr[data-row^="["]');
  await page.screenshot({ path: path.join(OUT, 'crosstab.png'), fullPage: true });

  // A kind that does not fit the file: a clear message naming the file and field; the view stays.
  await page.selectOption('[data-testid=source-list] tr[data-file="sample_surveys.csv"] [data-testid=source-kind]', 'events');
  await page.waitForSelector('[data-testid=sources-error]');
  assert.match(await page.textContent('[data-testid=sources-error]'), /sample_surveys\.csv/);
  assert.equal(await page.getAttribute('[data-testid=source-list] tr[data-file="sample_surveys.csv"]', 'data-kind'), 'surveys');
  await close();
});

test('privacy: masked by default, raw only for the admin and recorded; encrypted workspace saved and reopened; other origins blocked', async () => {
  const dir = path.join(WORK, 'ws-sources');
  cli(['sample', '--customers', '5000', '--seed', '20240601', '--dir', dir]);
  const phones = fs.readFileSync(path.join(dir, 'sample_customers.csv'), 'utf8').split(/\r?\n/).slice(1).map((l) => l.split(',')[2]).filter(Boolean);
  const anyPhone = (text) => phones.some((p) => text.includes(p));
  let { page, close, log } = await open('zh-CN');
  await page.click('[data-testid=load-sample-sources]');
  const unified = page.locator('[data-testid=unified]');
  await unified.waitFor({ timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  const customers = await unified.getAttribute('data-customers');
  assert.ok(!anyPhone(await page.content()), 'masked by default');
  assert.equal(await page.inputValue('[data-testid=role]'), 'admin', 'the page opens as the admin');
  await page.selectOption('[data-testid=role]', 'marketing');
  assert.equal(await page.isDisabled('[data-testid=show-raw]'), true, 'only the admin may show raw values');
  await page.selectOption('[data-testid=role]', 'admin');
  await page.check('[data-testid=show-raw]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit] li').length === 1);
  // Wait for the very condition (a phone of the sample file in the preview), not for any phone-like text: the
  // preview re-renders after the role switches back and a first render may still be the one before it.
  const previewHasPhone = (ps) => {
    const text = document.querySelector('[data-testid=unify-preview]')?.textContent || '';
    return ps.some((p) => text.includes(p));
  };
  await page.waitForFunction(previewHasPhone, phones, { timeout: 20_000 }).catch(() => assert.fail('raw values shown to the admin'));
  await page.selectOption('[data-testid=role]', 'sales');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit] li').length === 2);
  await page.waitForFunction(() => !/1[3-9]\d{9}/.test(document.querySelector('[data-testid=unify-preview]')?.textContent || ''));
  assert.match(await page.textContent('[data-testid=audit]'), /管理员 显示了原始值[\s\S]*销售 恢复脱敏/);

  // The schema view: personal columns recognised with their evidence; marks added by anyone, removed only by the admin.
  const names = fs.readFileSync(path.join(dir, 'sample_customers.csv'), 'utf8').split(/\r?\n/).slice(1).map((l) => l.split(',')[1]).filter(Boolean);
  const preview = () => page.textContent('[data-testid=unify-preview]');
  const crm = '[data-testid=schema] tr[data-file="sample_customers.csv"]';
  await page.click('[data-testid=schema] summary');
  assert.equal(await page.getAttribute(`${crm}[data-col=手机号]`, 'data-kind'), 'phone');
  assert.equal(await page.getAttribute(`${crm}[data-col=姓名]`, 'data-kind'), 'name');
  assert.equal(await page.getAttribute(`${crm}[data-col=城市]`, 'data-kind'), '');
  assert.ok(await page.isDisabled(`${crm}[data-col=姓名] [data-testid=mark] option[value=none]`), 'only the admin may unmark');
  assert.ok(names.length > 1000, 'names read from the sample');
  assert.ok((await preview()).includes('天猫'), 'channels shown as they are');
  await page.selectOption(`${crm}[data-col=渠道来源] [data-testid=mark]`, 'name');
  await page.waitForSelector(`${crm}[data-col=渠道来源][data-kind=name][data-mark=name]`);
  await page.waitForFunction(() => !document.querySelector('[data-testid=unify-preview]')?.textContent.includes('天猫'));
  assert.ok((await preview()).includes('天*'), 'a column marked as names is masked as names');
  await page.selectOption('[data-testid=role]', 'admin');
  await page.selectOption(`${crm}[data-col=姓名] [data-testid=mark]`, 'none');
  await page.waitForSelector(`${crm}[data-col=姓名][data-kind=""][data-mark=none]`);
  await page.waitForFunction((names) => names.some((n) => document.querySelector('[data-testid=unify-preview]')?.textContent.includes(n)), names);
  await page.selectOption(`${crm}[data-col=姓名] [data-testid=mark]`, 'detected');
  await page.waitForFunction((names) => !names.some((n) => document.querySelector('[data-testid=unify-preview]')?.textContent.includes(n)), names);
  await page.selectOption('[data-testid=role]', 'sales');

  // Save: a short passphrase is refused; a good one gives a sealed file with nothing readable in it.
  await page.fill('[data-testid=ws-passphrase]', 'short');
  await page.click('[data-testid=ws-save]');
  await page.waitForSelector('[data-testid=ws-message][data-ok=false]');
  const pass = 'correct horse battery';
  await page.fill('[data-testid=ws-passphrase]', pass);
  const saved = await download(page, 'ws-save');
  assert.equal(saved.name, 'custlens_workspace.custlens');
  assert.equal(saved.bytes.subarray(0, 8).toString(), 'CUSTLENS');
  assert.ok(!anyPhone(saved.bytes.toString('latin1')), 'the workspace file is encrypted');
  const sealed = path.join(WORK, 'ws.custlens');
  fs.writeFileSync(sealed, saved.bytes);
  // The CLI opens it (same format): the plaintext holds the seven files as imported.
  const plain = path.join(WORK, 'ws.plain');
  execFileSync(CLI, ['vault', 'open', '--in', sealed, '--out', plain], { env: { ...process.env, CUSTLENS_PASSPHRASE: pass } });
  const text = fs.readFileSync(plain);
  assert.equal(text.subarray(0, 4).toString(), 'CLWS');
  assert.ok(text.includes(fs.readFileSync(path.join(dir, 'sample_tickets.csv'))), 'the files are kept as they were');

  // The network check: everything from this origin; another origin blocked.
  await page.click('[data-testid=check-list]');
  assert.equal(await page.getAttribute('[data-testid=check-summary]', 'data-same-origin'), 'true');
  await page.click('[data-testid=check-try]');
  await page.waitForSelector('[data-testid=check-result][data-blocked=true]');
  // The policy reports the blocked request in an event of its own, which may come after the result.
  await page.waitForFunction(() => window.__csp.some((v) => v.includes('example.com')));
  await page.evaluate(() => { window.__csp = window.__csp.filter((v) => !v.includes('example.com')); });
  log.problems = log.problems.filter((p) => !p.includes('example.com'));
  assert.ok(!log.requests.some((u) => u.includes('example.com')), 'the blocked request never left the page');
  await close();

  // A fresh browser: wrong passphrase and a tampered file are refused with clear messages; the right one restores all.
  ({ page, close } = await open('zh-CN'));
  await page.fill('[data-testid=ws-passphrase]', 'wrong passphrase');
  await page.setInputFiles('[data-testid=ws-open]', sealed);
  await page.waitForSelector('[data-testid=ws-message][data-ok=false]', { timeout: 60_000 });
  assert.match(await page.textContent('[data-testid=ws-message]'), /密码错误/);
  const tampered = path.join(WORK, 'tampered.custlens');
  const bad = Buffer.from(saved.bytes);
  bad[bad.length - 20] ^= 1;
  fs.writeFileSync(tampered, bad);
  await page.fill('[data-testid=ws-passphrase]', pass);
  await page.setInputFiles('[data-testid=ws-open]', tampered);
  await page.waitForFunction(() => /修改或损坏/.test(document.querySelector('[data-testid=ws-message]')?.textContent || ''), null, { timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=source-list]').count(), 0, 'nothing half-loaded');
  await page.setInputFiles('[data-testid=ws-open]', sealed);
  await page.waitForSelector('[data-testid=ws-message][data-ok=true]', { timeout: 60_000 });
  await page.waitForSelector(`[data-testid=unified][data-customers="${customers}"]`, { timeout: 60_000 });
  const kinds = await page.$$eval('[data-testid=source-list] tbody tr', (trs) => trs.map((tr) => tr.dataset.kind));
  assert.deepEqual(kinds, ['customers', 'orders', 'tickets', 'surveys', 'events', 'channels', 'channels']);
  // The marks came back with the workspace.
  await page.waitForSelector('[data-testid=schema] tr[data-file="sample_customers.csv"][data-col=渠道来源][data-mark=name]', { state: 'attached' });
  assert.ok(!(await page.textContent('[data-testid=unify-preview]')).includes('天猫'), 'the mark holds after reopening');
  const stored = await page.evaluate(() => JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage)));
  assert.ok(!anyPhone(stored), 'nothing customer-related in local storage');
  await close();
});

test('roles: field visibility edited by the admin; the page and its exports hold only what a role may see; pseudonyms stay with the workspace; small groups suppressed', async () => {
  const dir = path.join(WORK, 'roles-sources');
  cli(['sample', '--customers', '5000', '--seed', '20240601', '--dir', dir]);
  const lines = (f) => fs.readFileSync(path.join(dir, f), 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(','));
  const crm = lines('sample_customers.csv');
  const phones = crm.map((r) => r[2]).filter(Boolean);
  const ids = new Set(crm.map((r) => r[0]));
  const csv = (bytes) => bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean).map((l) => l.split(','));
  let { page, close } = await open('zh-CN');
  await page.click('[data-testid=load-sample-sources]');
  await page.waitForSelector('[data-testid=unified]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  const head = () => page.$$eval('[data-testid=unify-preview] thead th', (ths) => ths.map((th) => th.textContent.trim()));
  const settled = () => page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached', timeout: 60_000 });
  const asAdmin = await download(page, 'export-unify-customers.csv');
  const adminRows = csv(asAdmin.bytes);
  assert.ok(adminRows[0].includes('phone') && adminRows[0].includes('total_spend'), 'the admin exports every column');

  // The editor: every role's access per field; only the admin may change it.
  await page.click('[data-testid=visibility] summary');
  const cell = (field, role) => `[data-testid=visibility] tr[data-field=${field}] td[data-role=${role}]`;
  assert.equal(await page.getAttribute(cell('user_id', 'marketing'), 'data-access'), 'pseudonym');
  assert.equal(await page.getAttribute(cell('phone', 'marketing'), 'data-access'), 'hidden');
  assert.equal(await page.getAttribute(cell('amount', 'service'), 'data-access'), 'hidden');
  assert.equal(await page.getAttribute(cell('phone', 'sales'), 'data-access'), 'shown');
  await page.selectOption(`${cell('province', 'marketing')} select`, 'hidden');
  await page.waitForSelector(`${cell('province', 'marketing')}[data-access=hidden]`);

  // As marketing: the selects are locked; the customer view and its files lose the hidden columns, ids are tokens.
  await page.selectOption('[data-testid=role]', 'marketing');
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid=unify-preview] thead th')].some((th) => th.textContent.trim() === 'phone'), null, { timeout: 60_000 });
  await settled();
  assert.ok(await page.isDisabled(`${cell('phone', 'sales')} select`), 'only the admin edits visibility');
  await page.locator('[data-testid=visibility]').screenshot({ path: path.join(OUT, 'visibility.png') });
  const shown = await head();
  for (const gone of ['phone', 'name', 'email', 'province']) assert.ok(!shown.includes(gone), `marketing sees ${gone}: ${shown}`);
  assert.ok(shown.includes('total_spend') && shown.includes('city'), `marketing keeps the analysis fields: ${shown}`);
  const firstId = await page.textContent('[data-testid=unify-preview] tbody tr:first-child td:first-child');
  assert.match(firstId.trim(), /^p_[0-9a-f]{32}$/);
  const asMarketing = await download(page, 'export-unify-customers.csv');
  const rows = csv(asMarketing.bytes);
  assert.deepEqual(rows[0], adminRows[0].filter((h) => !['name', 'phone', 'email', 'birth_date', 'credit_code', 'province'].includes(h)));
  assert.equal(rows.length, adminRows.length, 'every customer is still there');
  assert.ok(rows.slice(1).every((r) => /^p_[0-9a-f]{32}$/.test(r[0]) && !ids.has(r[0])), 'no raw customer id leaves');
  const text = asMarketing.bytes.toString('utf8');
  assert.ok(!phones.some((p) => text.includes(p.slice(-4)) && text.includes(p)), 'no phone number leaves');
  const again = await download(page, 'export-unify-customers.csv');
  assert.ok(again.bytes.equals(asMarketing.bytes), 'the same tokens on every export');

  // As service: the orders-based analyses are not offered, satisfaction is; exports refuse what it may not see.
  await page.selectOption('[data-testid=role]', 'service');
  await settled();
  await page.click('[data-testid=tab-cohorts]');
  await page.waitForSelector('[data-testid=panel-cohorts] [data-testid=not-for-role]');
  assert.match(await page.textContent('[data-testid=panel-cohorts] [data-testid=not-for-role]'), /客服/);
  assert.equal(await page.isVisible('[data-testid=run-cohorts]'), false);
  await page.click('[data-testid=tab-satisfaction]');
  assert.equal(await page.locator('[data-testid=panel-satisfaction] [data-testid=not-for-role]').count(), 0);
  const service = csv((await download(page, 'export-unify-customers.csv')).bytes);
  assert.ok(service[0].includes('phone') && service[0].includes('tickets') && !service[0].includes('total_spend'), `service: ${service[0]}`);

  // Back to the admin: small-cell protection drops cohorts of fewer than k customers from the export.
  await page.selectOption('[data-testid=role]', 'admin');
  await settled();
  await page.click('[data-testid=tab-cohorts]');
  await page.click('[data-testid=run-cohorts]');
  await page.waitForSelector('[data-testid=retention-table]', { timeout: 60_000 });
  const open_ = csv((await download(page, 'export-custlens_cohorts-csv')).bytes);
  const sizes = open_.slice(1).map((r) => Number(r[2]));
  const k = [...new Set(sizes)].sort((a, b) => a - b)[1] + 1; // a threshold that holds back at least two cohorts
  await page.selectOption('[data-testid=small-cells-mode]', 'suppress');
  await page.fill('[data-testid=small-cells-k]', String(k));
  await page.press('[data-testid=small-cells-k]', 'Enter');
  await page.dispatchEvent('[data-testid=small-cells-k]', 'change');
  await settled();
  await page.click('[data-testid=tab-cohorts]');
  await page.click('[data-testid=run-cohorts]');
  await page.waitForSelector('[data-testid=retention-table]', { timeout: 60_000 });
  const protectedRows = csv((await download(page, 'export-custlens_cohorts-csv')).bytes);
  const want = open_.filter((r, i) => i === 0 || r[0] === 'average' || !(Number(r[2]) > 0 && Number(r[2]) < k));
  assert.ok(want.length < open_.length - 1, 'the threshold holds back some cohorts');
  assert.deepEqual(protectedRows, want);
  // Nor are the customers of a group held back listed (that would name who is in it); a larger group's are.
  const shownSizes = (await page.$$eval('[data-testid=cohort-size]', (bs) => bs.map((b) => b.textContent))).map((x) => Number(x.replace(/[^0-9]/g, '')));
  const small = shownSizes.findIndex((n) => n > 0 && n < k);
  const large = shownSizes.findIndex((n) => n >= k);
  assert.ok(small >= 0 && large >= 0, `cohort sizes ${shownSizes} around k = ${k}`);
  await page.locator('[data-testid=cohort-size]').nth(small).click();
  await page.waitForSelector('[data-testid=member-list-error]');
  assert.match(await page.textContent('[data-testid=member-list-error]'), new RegExp(`只有 ${shownSizes[small]} 位客户.*少于 ${k} 位`));
  assert.equal(await page.locator('[data-testid=member-list]').count(), 0, 'no list of a small group');
  await page.locator('[data-testid=cohort-size]').nth(large).click();
  await page.waitForSelector(`[data-testid=member-list][data-count="${shownSizes[large]}"]`);
  await page.selectOption('[data-testid=small-cells-mode]', 'merge');
  await settled();
  await page.click('[data-testid=run-cohorts]');
  await page.waitForSelector('[data-testid=retention-table]', { timeout: 60_000 });
  const merged = csv((await download(page, 'export-custlens_cohorts-csv')).bytes);
  const held = open_.slice(1).filter((r) => r[0] !== 'average' && Number(r[2]) > 0 && Number(r[2]) < k);
  const other = merged.find((r) => r[0] === '其他（合并的小组）');
  const heldSum = held.reduce((a, r) => a + Number(r[2]), 0);
  if (heldSum >= k) assert.equal(other?.[2], String(heldSum), 'the small cohorts merged into one group');
  else assert.equal(other, undefined, 'a merged group under k is suppressed too');

  // The key goes with the sealed workspace: reopened, marketing's tokens are the same.
  const pass = 'roles and pseudonyms';
  await page.fill('[data-testid=ws-passphrase]', pass);
  const saved = await download(page, 'ws-save');
  const sealed = path.join(WORK, 'roles.custlens');
  fs.writeFileSync(sealed, saved.bytes);
  await close();
  ({ page, close } = await open('zh-CN'));
  await page.fill('[data-testid=ws-passphrase]', pass);
  await page.setInputFiles('[data-testid=ws-open]', sealed);
  await page.waitForSelector('[data-testid=ws-message][data-ok=true]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=unified]', { timeout: 60_000 });
  await page.selectOption('[data-testid=role]', 'marketing');
  await page.waitForFunction(() => /^p_/.test(document.querySelector('[data-testid=unify-preview] tbody td')?.textContent.trim() || ''), null, { timeout: 60_000 });
  await settled();
  const reopened = await download(page, 'export-unify-customers.csv');
  assert.ok(reopened.bytes.equals(asMarketing.bytes), 'the visibility and the tokens came back with the workspace');
  await close();
});

test('filters: a date range and a tag narrow the analyses, tags and profiles; the figures equal the CLI on the same rows filtered by hand', async () => {
  const dir = path.join(WORK, 'filter-sources');
  cli(['sample', '--customers', '5000', '--seed', '20240601', '--dir', dir]);
  const cleaned = {};
  for (const kind of ['customers', 'orders', 'events']) {
    const out = path.join(WORK, `filter-clean-${kind}`);
    cli(['clean', '--kind', kind, '--input', path.join(dir, `sample_${kind}.csv`), '--out', out, '--unmasked']);
    cleaned[kind] = fs.readFileSync(path.join(out, 'clean.csv'), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
  }
  const json = (args) => JSON.parse(cli([...args, '--json']).toString());
  const csv = (bytes) => bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean).map((l) => l.split(','));
  const col = (lines, name) => lines[0].split(',').indexOf(name);
  // Rows of a cleaned file (no quoted commas in these columns) kept by `keep`, written for the CLI.
  const narrowed = (kind, keep, name) => {
    const lines = cleaned[kind];
    const kept = lines.slice(1).filter((l) => keep(l.split(',')));
    const file = path.join(WORK, name);
    fs.writeFileSync(file, [lines[0], ...kept].join('\n') + '\n');
    return { file, kept: kept.length, rows: lines.length - 1 };
  };
  const { page, close } = await open('zh-CN');
  await page.click('[data-testid=load-sample-sources]');
  await page.waitForSelector('[data-testid=unified]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=funnel-type]', { state: 'attached', timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });

  // A date range: orders of the second quarter of 2024 only (the CRM is not narrowed by date).
  const time = col(cleaned.orders, '下单时间');
  assert.ok(time >= 0, `order time column: ${cleaned.orders[0]}`);
  const [from, to] = ['2024-04-01', '2024-06-30'];
  const inRange = (r) => r[time].slice(0, 10) >= from && r[time].slice(0, 10) <= to;
  const q2 = narrowed('orders', inRange, 'orders-q2.csv');
  await page.fill('[data-testid=filter-from]', from);
  await page.dispatchEvent('[data-testid=filter-from]', 'change');
  await page.fill('[data-testid=filter-to]', to);
  await page.dispatchEvent('[data-testid=filter-to]', 'change');
  await page.click('[data-testid=filter-apply]');
  const orders = page.locator('[data-testid=filter-report] li[data-file="sample_orders.csv"]');
  await orders.waitFor({ timeout: 60_000 });
  const undated = Number(await orders.getAttribute('data-undated'));
  assert.equal(Number(await orders.getAttribute('data-kept')), q2.kept, 'orders kept');
  assert.equal(Number(await orders.getAttribute('data-rows')), q2.rows, 'orders read');
  assert.ok(q2.kept > 0 && q2.kept < q2.rows);
  assert.equal(await page.getAttribute('[data-testid=filter-report] li[data-file="sample_customers.csv"]', 'data-kept'),
    await page.getAttribute('[data-testid=filter-report] li[data-file="sample_customers.csv"]', 'data-rows'), 'the CRM is not filtered by date');
  assert.ok(undated >= 0);
  await page.click('[data-testid=tab-cohorts]');
  await page.click('[data-testid=run-cohorts]');
  const want = json(['cohorts', '--orders', q2.file]);
  const r = page.locator(`[data-testid=cohorts-result][data-customers="${want.customers}"]`);
  await r.waitFor({ timeout: 60_000 });
  assert.equal(await r.getAttribute('data-cohorts'), String(want.cohorts.length));
  assert.equal(await r.getAttribute('data-rows-used'), String(want.rows_used));
  // The comparison beside cohorts reads the same narrowed rows: new buyers month-on-month within the quarter.
  await page.click('[data-testid=run-cohorts-compare]');
  await page.waitForSelector('[data-testid=cohorts-compare-result][data-metric=new_buyers][data-mode=mom]', { timeout: 60_000 });
  const figure = (x) => (x === '' || x === undefined ? null : Number(x));
  const cliFigure = (f) => (f === null || f === undefined ? null : Object.values(f)[0]);
  const shown = await page.$$eval('[data-testid=cohorts-compare-table] tbody tr', (trs) => trs.map((tr) => [tr.dataset.period, tr.dataset.value, tr.dataset.base]));
  const cmp = json(['compare', '--orders', q2.file, '--metric', 'new_buyers']);
  assert.deepEqual(shown.map(([p, v, b]) => [p, figure(v), figure(b)]), cmp.points.map((p) => [p.period, cliFigure(p.value), cliFigure(p.base)]));
  assert.deepEqual(shown.map(([p]) => p), ['2024-04', '2024-05', '2024-06'], 'only the months of the range');

  // A tag: its customers' events only (the date range cleared).
  await page.fill('[data-testid=filter-from]', '');
  await page.dispatchEvent('[data-testid=filter-from]', 'change');
  await page.fill('[data-testid=filter-to]', '');
  await page.dispatchEvent('[data-testid=filter-to]', 'change');
  await page.click('[data-testid=filter-apply]');
  await page.waitForSelector('[data-testid=filter-report][data-active=false]');
  await page.click('[data-testid=tab-tags]');
  await page.click('[data-testid=run-tags]');
  await page.waitForSelector('[data-testid=tag-coverage] tr[data-tag]', { timeout: 60_000 });
  const tagged = csv((await download(page, 'export-custlens_tags-csv')).bytes);
  const firstTag = await page.getAttribute('[data-testid=tag-coverage] tr[data-tag]', 'data-tag');
  // The run on everyone: its as-of date and how many customers carry the first tag and each other one.
  const everyone = {
    asOf: await page.getAttribute('[data-testid=tags-result]', 'data-as-of'),
    tags: await page.$$eval('[data-testid=tag-coverage] tbody tr', (trs) => trs.map((tr) => tr.dataset.tag)),
    both: await page.$$eval('[data-testid=tag-overlap] tbody tr:first-child td', (tds) => tds.map((td) => td.dataset.both)),
  };
  assert.equal(everyone.both.length, everyone.tags.length, 'the overlap row of the first tag');
  const members = new Set(tagged.slice(1).filter((row) => row[1].split(/[|;]/).map((x) => x.trim()).includes(firstTag)).map((row) => row[0]));
  assert.ok(members.size > 0, `members of ${firstTag}`);
  await page.selectOption('[data-testid=filter-tag]', '0');
  await page.click('[data-testid=filter-apply]');
  await page.waitForSelector('[data-testid=filter-report][data-active=true][data-customers]');
  const chosen = Number(await page.getAttribute('[data-testid=filter-report]', 'data-customers'));
  assert.ok(chosen >= members.size, 'the tag\'s customers, with the ids tied to them');
  const user = col(cleaned.events, '用户ID') >= 0 ? col(cleaned.events, '用户ID') : 0;
  const ev = narrowed('events', (row) => members.has(row[user]), 'events-tag.csv');
  const events = page.locator('[data-testid=filter-report] li[data-file="sample_events.csv"]');
  assert.equal(Number(await events.getAttribute('data-kept')), ev.kept, 'events of the tag\'s customers');
  await page.click('[data-testid=tab-activity]');
  await page.click('[data-testid=run-activity]');
  const act = json(['activity', '--events', ev.file]);
  const a = page.locator(`[data-testid=activity-result][data-customers="${act.counts.customers}"]`);
  await a.waitFor({ timeout: 60_000 });
  for (const k of ['active', 'regular', 'silent', 'churned']) assert.equal(await a.getAttribute(`data-${k}`), String(act.counts[k]), k);

  // Tags under the tag filter: only its customers, all carrying it, at the as-of date of everyone's run;
  // every other tag covers exactly the customers it shared with the first one on everyone.
  await page.click('[data-testid=tab-tags]');
  assert.equal(await page.locator('[data-testid=tags-result]').count(), 0, 'the figures of the run on everyone are not shown as filtered ones');
  assert.equal(await page.getAttribute('[data-testid=filter-tag] option[value="0"]', 'value'), '0', 'the tags stay choosable');
  await page.click('[data-testid=run-tags]');
  const tr = page.locator(`[data-testid=tags-result][data-customers="${members.size}"]`);
  await tr.waitFor({ timeout: 60_000 });
  assert.equal(await tr.getAttribute('data-as-of'), everyone.asOf, 'the as-of date is not moved back to the chosen customers\' last day');
  const narrowedTags = await page.$$eval('[data-testid=tag-coverage] tbody tr', (trs) => trs.map((tr) => [tr.dataset.tag, tr.dataset.count]));
  assert.deepEqual(narrowedTags, everyone.tags.map((t, j) => [t, j === 0 ? String(members.size) : everyone.both[j]]));

  // Profiles under the tag filter: as `custlens profiles` on the chosen customers' rows, at the date the page used.
  const crmId = col(cleaned.customers, '客户ID');
  const orderUser = col(cleaned.orders, '客户ID');
  assert.ok(crmId >= 0 && orderUser >= 0, `id columns: ${cleaned.customers[0]} / ${cleaned.orders[0]}`);
  const crm = narrowed('customers', (row) => members.has(row[crmId]), 'customers-tag.csv');
  const ord = narrowed('orders', (row) => members.has(row[orderUser]), 'orders-tag.csv');
  await page.click('[data-testid=tab-profiles]');
  await page.click('[data-testid=run-profiles]');
  const pr = page.locator('[data-testid=profiles-result]');
  await pr.waitFor({ timeout: 60_000 });
  const prof = json(['profiles', '--customers', crm.file, '--orders', ord.file, '--events', ev.file, '--as-of', await pr.getAttribute('data-as-of')]);
  assert.equal(await pr.getAttribute('data-customers'), String(prof.customers), 'profiled customers');
  assert.equal(await pr.getAttribute('data-buyers'), String(prof.buyers), 'buyers');
  await page.selectOption('[data-testid=profiles-dimension]', 'province');
  await page.waitForSelector('[data-testid=profiles-dimension-table][data-dimension=province]');
  const prov = await page.$$eval('[data-testid=profiles-dimension-table] tbody tr', (trs) => trs.map((tr) => [tr.dataset.value, tr.dataset.customers]));
  assert.deepEqual(prov, prof.dimensions.find((d) => d.dimension === 'province').rows.map((r) => [r.value, String(r.customers)]));
  await page.locator('[data-testid=analyses]').screenshot({ path: path.join(OUT, 'analyses-filter.png') });
  await close();
});

test('a workbook with several sheets: the sheet is chosen in the page', async () => {
  const out = path.join(WORK, 'book');
  cli(['clean', '--kind', 'orders', '--input', path.join(DATA, 'orders_gbk.csv'), '--out', out, '--format', 'xlsx']);
  const { page, close } = await open('zh-CN');
  await pick(page, path.join(out, 'clean.xlsx'));
  await result(page);
  assert.equal(await page.getAttribute('[data-testid=sheet]', 'data-sheet'), 'clean');
  const sheets = await page.$$eval('[data-testid=sheet] option', (os) => os.map((o) => o.value));
  assert.deepEqual(sheets, ['clean', 'set_aside', 'changes']);
  await page.selectOption('[data-testid=sheet]', 'changes');
  await page.waitForSelector('[data-testid=sheet][data-sheet=changes]');
  await page.waitForSelector('[data-testid=mapping]');
  assert.equal(await page.locator('[data-testid=rfm-result]').count(), 0, 'the change log is not an orders table');
  await page.selectOption('[data-testid=sheet]', 'clean');
  await result(page);
  // Merged cells in the data rows: the region's value fills every cell of it, and the page says how many.
  const merged = path.join(DATA, 'orders_merged_cells.xlsx');
  await pick(page, merged);
  await page.waitForSelector('[data-testid=merged-cells][data-count="3"]');
  await result(page);
  await page.click('[data-testid=run-clean]');
  await page.waitForSelector('[data-testid=quality][data-rows-out="5"]');
  const mout = path.join(WORK, 'merged-cli');
  cli(['clean', '--kind', 'orders', '--input', merged, '--out', mout]);
  const mclean = await download(page, 'export-clean.csv');
  assert.ok(mclean.bytes.equals(fs.readFileSync(path.join(mout, 'clean.csv'))), 'merged-cell clean.csv differs from the CLI');
  assert.equal(mclean.bytes.toString('utf8').split('华东').length - 1, 3, 'the region value fills its three rows');
  await close();
});

test('text from data is shown as text, never run as HTML', async () => {
  const file = path.join(WORK, 'xss.csv');
  const payload = '<img src=x onerror=alert(1)>';
  fs.writeFileSync(file, `订单号,客户ID,下单时间,订单金额,商品品类\nO1,C1,2024-01-02,10.00,"${payload}"\nO2,C2,2024-01-03,20.00,<b>bold</b>\n`);
  const { page, close } = await open('zh-CN');
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
  await pick(page, file);
  await result(page);
  await page.waitForSelector('[data-testid=preview]');
  assert.ok((await page.textContent('[data-testid=preview]')).includes(payload), 'the payload is shown as text');
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.equal(await page.locator('[data-testid=preview] b').count(), 0);
  assert.equal(dialogs, 0);
  await close();
});

test('analyses: cohorts, satisfaction, funnel and activity from the sample tables, the same figures as the CLI on the cleaned files', async () => {
  const dir = path.join(WORK, 'analyses');
  cli(['sample', '--customers', '5000', '--seed', '20240601', '--dir', dir]);
  const cleaned = {};
  for (const kind of ['orders', 'surveys', 'tickets', 'events']) {
    const out = path.join(WORK, `analyses-clean-${kind}`);
    cli(['clean', '--kind', kind, '--input', path.join(dir, `sample_${kind}.csv`), '--out', out, '--unmasked']);
    cleaned[kind] = path.join(out, 'clean.csv');
  }
  const json = (args) => JSON.parse(cli([...args, '--json']).toString());
  const near = (got, want, what) => {
    if (want === null || want === undefined) return assert.equal(got ?? '', '', `${what}: browser ${got}, CLI none`);
    assert.ok(got !== '' && got !== null, `${what}: browser shows none, CLI ${want}`);
    const g = Number(got);
    assert.ok(g === want || Math.abs(g - want) <= 1e-12 * Math.abs(want), `${what}: browser ${got}, CLI ${want}`);
  };
  const same = (got, want, what) => assert.equal(String(got), String(want), what);
  const { page, close } = await open('zh-CN');

  // Only a CRM table: the analyses say which kind of source they need.
  await page.setInputFiles('[data-testid=sources-input]', [path.join(dir, 'sample_customers.csv')]);
  await page.waitForSelector('[data-testid=analyses]');
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  await page.click('[data-testid=run-cohorts]');
  await page.waitForSelector('[data-testid=cohorts-error]');
  assert.match(await page.textContent('[data-testid=cohorts-error]'), /来源中没有订单表/);

  await page.click('[data-testid=load-sample-sources]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-list] tbody tr').length === 7, null, { timeout: 60_000 });
  await page.waitForSelector('[data-testid=funnel-type]', { state: 'attached', timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });

  // Cohorts: defaults, then ISO weeks followed for 8 periods.
  const cohorts = async (want, sel) => {
    const r = page.locator(sel);
    await r.waitFor({ timeout: 60_000 });
    same(await r.getAttribute('data-customers'), want.customers, 'cohort customers');
    same(await r.getAttribute('data-rows-used'), want.rows_used, 'cohort rows used');
    same(await r.getAttribute('data-cohorts'), want.cohorts.length, 'cohorts');
    near(await page.getAttribute('[data-testid=cohorts-repurchase-rate]', 'data-value'), want.repurchase.rate, 'repurchase rate');
    near(await page.getAttribute('[data-testid=cohorts-median-interval]', 'data-value'), want.repurchase.median_interval_days, 'median interval');
    near(await page.getAttribute('[data-testid=cohorts-mean-interval]', 'data-value'), want.repurchase.mean_interval_days, 'mean interval');
    const rows = await page.$$eval('[data-testid=retention-table] tbody tr', (trs) => trs.map((tr) => ({
      cohort: tr.dataset.cohort, customers: tr.dataset.customers,
      cells: [...tr.querySelectorAll('td[data-k]')].map((td) => [td.dataset.retained, td.dataset.retention]) })));
    assert.equal(rows.length, want.cohorts.length + 1);
    want.cohorts.forEach((c, i) => {
      same(rows[i].cohort, c.period, 'cohort period');
      same(rows[i].customers, c.customers, `${c.period} size`);
      assert.equal(rows[i].cells.length, want.max_periods + 1);
      c.retained.forEach((n, k) => same(rows[i].cells[k][0], n ?? '', `${c.period} +${k} retained`));
      c.retention.forEach((x, k) => near(rows[i].cells[k][1], x, `${c.period} +${k} retention`));
    });
    want.average_retention.forEach((x, k) => near(rows.at(-1).cells[k][1], x, `average +${k}`));
    const churn = await page.$$eval('[data-testid=churn-table] tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
    assert.equal(churn.length, want.churn_trend.length);
    want.churn_trend.forEach((m, i) => {
      same(churn[i].month, m.month, 'churn month');
      same(churn[i].activeBefore, m.active_before, `${m.month} active before`);
      same(churn[i].churned, m.churned, `${m.month} churned`);
      near(churn[i].rate, m.rate, `${m.month} churn rate`);
    });
    await page.waitForSelector('[data-testid=churn-chart][data-drawn=true]');
  };
  await page.click('[data-testid=run-cohorts]');
  await cohorts(json(['cohorts', '--orders', cleaned.orders]), '[data-testid=cohorts-result][data-period=month]');
  assert.match(await page.textContent('[data-testid=cohorts-repurchase-rate]'), /^\d+\.\d%$/);
  const retention = await download(page, 'export-custlens_cohorts-csv');
  assert.equal(retention.name, 'custlens_cohorts.csv');
  assert.ok(retention.bytes.toString('utf8').startsWith('\ufeffcohort,start,customers,retention_0,'), 'retention CSV header');
  const book = await download(page, 'export-custlens_cohorts-xlsx');
  assert.equal(book.name, 'custlens_cohorts.xlsx');
  assert.equal(book.bytes.subarray(0, 2).toString(), 'PK');
  await page.selectOption('[data-testid=cohort-period]', 'week');
  await page.fill('[data-testid=cohort-max-periods]', '8');
  await page.dispatchEvent('[data-testid=cohort-max-periods]', 'change');
  await page.click('[data-testid=run-cohorts]');
  await cohorts(json(['cohorts', '--orders', cleaned.orders, '--period', 'week', '--max-periods', '8']),
    '[data-testid=cohorts-result][data-period=week][data-max-periods="8"]');
  await page.screenshot({ path: path.join(OUT, 'analyses-cohorts.png'), fullPage: true });

  // Satisfaction: defaults, then an SLA of 48 hours.
  await page.click('[data-testid=tab-satisfaction]');
  const satisfaction = async (want, sla) => {
    await page.waitForSelector(`[data-testid=satisfaction-result][data-sla="${sla}"]`, { timeout: 60_000 });
    const s = want.surveys;
    for (const [id, score] of [['csat', s.csat], ['nps', s.nps], ['ces', s.ces], ['rating', want.tickets.satisfaction]]) {
      near(await page.getAttribute(`[data-testid=sat-${id}]`, 'data-value'), score.value, `${id}`);
      same(await page.getAttribute(`[data-testid=satisfaction-result] .cards > [data-scale=${id}]`, 'data-answers'), score.answers, `${id} answers`);
      const cells = await page.$$eval(`[data-testid=satisfaction-trend] td[data-scale=${id}]`,
        (tds) => tds.map((td) => [td.closest('tr').dataset.month, td.dataset.answers, td.dataset.value]));
      const shown = cells.filter((c) => c[1] !== '');
      assert.equal(shown.length, score.trend.length, `${id} months`);
      score.trend.forEach((m, i) => {
        same(shown[i][0], m.month, `${id} month`);
        same(shown[i][1], m.answers, `${id} ${m.month} answers`);
        near(shown[i][2], m.value, `${id} ${m.month}`);
      });
    }
    const t = want.tickets;
    const types = await page.$$eval('[data-testid=ticket-types] tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
    assert.equal(types.length, t.types.length);
    t.types.forEach((v, i) => {
      same(types[i].type, v.value, 'ticket type');
      same(types[i].count, v.count, `${v.value} count`);
      near(types[i].share, v.share, `${v.value} share`);
    });
    const res = page.locator('[data-testid=resolution]');
    for (const [attr, key] of [['data-mean', 'mean'], ['data-median', 'median'], ['data-p90', 'p90'], ['data-within-sla-share', 'within_sla_share']]) {
      near(await res.getAttribute(attr), t.resolution[key], `resolution ${key}`);
    }
    same(await res.getAttribute('data-count'), t.resolution.count, 'resolved tickets');
    same(await res.getAttribute('data-within-sla'), t.resolution.within_sla, 'within SLA');
    const bins = await page.$$eval('[data-testid=resolution-bins] tbody tr', (trs) => trs.map((tr) => [tr.dataset.bin, tr.dataset.count]));
    assert.deepEqual(bins, t.resolution.histogram.map((b) => [b.label, String(b.count)]));
    await page.waitForSelector('[data-testid=satisfaction-chart][data-drawn=true]');
    await page.waitForSelector('[data-testid=resolution-chart][data-drawn=true]');
  };
  await page.click('[data-testid=run-satisfaction]');
  const satArgs = ['satisfaction', '--surveys', cleaned.surveys, '--tickets', cleaned.tickets];
  await satisfaction(json(satArgs), '24');
  await page.fill('[data-testid=sla-hours]', '48');
  await page.dispatchEvent('[data-testid=sla-hours]', 'change');
  await page.click('[data-testid=run-satisfaction]');
  await satisfaction(json([...satArgs, '--sla-hours', '48']), '48');
  const types = await download(page, 'export-custlens_ticket_types-csv');
  assert.ok(types.bytes.toString('utf8').startsWith('\ufeffticket_type,tickets,share'), 'ticket types CSV header');
  await page.screenshot({ path: path.join(OUT, 'analyses-satisfaction.png'), fullPage: true });

  // Funnel: the default steps (all four are in the sample), then a 3-day window in loose order.
  await page.click('[data-testid=tab-funnel]');
  assert.equal(await page.inputValue('[data-testid=funnel-steps]'), '浏览,加购,下单,支付');
  const funnel = async (want, sel) => {
    await page.waitForSelector(sel, { timeout: 60_000 });
    const rows = await page.$$eval('[data-testid=funnel-table] tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
    assert.equal(rows.length, want.steps.length);
    want.steps.forEach((s, i) => {
      same(rows[i].step, s.step, 'step');
      same(rows[i].customers, s.customers, `${s.step} customers`);
      same(rows[i].drop, s.drop_off, `${s.step} drop-off`);
      same(rows[i].dropped, s.dropped.count, `${s.step} dropped`);
      near(rows[i].convPrev, s.conversion_from_previous, `${s.step} conversion from previous`);
      near(rows[i].convStart, s.conversion_from_start, `${s.step} conversion from start`);
      near(rows[i].dropRate, s.drop_off_rate, `${s.step} drop-off rate`);
      near(rows[i].medianSeconds, s.median_seconds_from_previous, `${s.step} median seconds`);
    });
    await page.waitForSelector('[data-testid=funnel-chart][data-drawn=true]');
    return rows;
  };
  await page.click('[data-testid=run-funnel]');
  const wantF = json(['funnel', '--events', cleaned.events]);
  await funnel(wantF, '[data-testid=funnel-result][data-window="7"][data-order=strict]');
  // Dropped customers: the first 100 per step listed, all of them in the download. The sample's ids
  // (C000123) are not personal data, so masking leaves them as they are: the same as the CLI's.
  const listed = await page.$$eval('[data-testid=dropped]', (ds) => ds.map((d) => [d.dataset.step, [...d.querySelectorAll('li')].map((li) => li.textContent)]));
  assert.deepEqual(listed, wantF.steps.filter((s) => s.dropped.count > 0).map((s) => [s.step, s.dropped.ids]));
  const droppedOut = path.join(WORK, 'dropped.csv');
  cli(['funnel', '--events', cleaned.events, '--dropped-out', droppedOut]);
  const dropped = await download(page, 'export-funnel-dropped');
  assert.equal(dropped.name, 'custlens_funnel_dropped.csv');
  assert.ok(dropped.bytes.equals(fs.readFileSync(droppedOut)), 'dropped customers differ from custlens funnel --dropped-out');
  // A step's drop-outs listed and saved as a tag: every listed customer accounted for, the tag covers those matched.
  const step = wantF.steps.find((x) => x.dropped.count > 0);
  const box = `[data-testid=dropped][data-step="${step.step}"]`;
  await page.click(`${box} summary`);
  await page.click(`${box} [data-testid=dropped-list]`);
  await page.waitForSelector(`[data-testid=member-list][data-count="${step.dropped.count}"]`, { timeout: 60_000 });
  const dropTag = `流失-${step.step}`;
  await page.fill('[data-testid=save-tag-name]', dropTag);
  await page.click('[data-testid=save-tag]');
  const saved = page.locator(`[data-testid=save-tag-done][data-name="${dropTag}"]`);
  await saved.waitFor({ timeout: 60_000 });
  const matched = Number(await saved.getAttribute('data-customers'));
  assert.equal(matched + Number(await saved.getAttribute('data-unmatched')), step.dropped.count, 'every dropped customer accounted for');
  assert.ok(matched > 0);
  await page.click('[data-testid=tab-tags]');
  await page.waitForSelector(`[data-testid=tag-coverage] tr[data-tag="${dropTag}"][data-count="${matched}"]`, { timeout: 60_000 });
  await page.click('[data-testid=tab-funnel]');
  await page.fill('[data-testid=funnel-window]', '3');
  await page.dispatchEvent('[data-testid=funnel-window]', 'change');
  await page.selectOption('[data-testid=funnel-order]', 'loose');
  await page.click('[data-testid=run-funnel]');
  await funnel(json(['funnel', '--events', cleaned.events, '--window-days', '3', '--order', 'loose']),
    '[data-testid=funnel-result][data-window="3"][data-order=loose]');
  await page.screenshot({ path: path.join(OUT, 'analyses-funnel.png'), fullPage: true });

  // Activity: defaults, then churned after 60 days.
  await page.click('[data-testid=tab-activity]');
  const activity = async (want) => {
    const c = want.counts;
    const r = page.locator(`[data-testid=activity-result][data-churned="${c.churned}"][data-silent="${c.silent}"][data-regular="${c.regular}"]`);
    await r.waitFor({ timeout: 60_000 });
    same(await r.getAttribute('data-as-of'), want.as_of, 'as of');
    for (const k of ['customers', 'active', 'regular', 'silent', 'churned']) same(await r.getAttribute(`data-${k}`), want.counts[k], k);
    for (const k of ['active', 'regular', 'silent', 'churned']) {
      near(await page.getAttribute(`[data-class=${k}][data-share]`, 'data-share'), want.shares[k], `${k} share`);
    }
    const trend = await page.$$eval('[data-testid=activity-trend] tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
    assert.equal(trend.length, want.trend.length);
    want.trend.forEach((p, i) => {
      same(trend[i].month, p.month, 'month');
      for (const k of ['customers', 'active', 'regular', 'silent', 'churned']) same(trend[i][k], p.counts[k], `${p.month} ${k}`);
    });
    await page.waitForSelector('[data-testid=activity-chart][data-drawn=true]');
  };
  await page.click('[data-testid=run-activity]');
  await activity(json(['activity', '--events', cleaned.events]));
  await page.fill('[data-testid=churn-days]', '60');
  await page.dispatchEvent('[data-testid=churn-days]', 'change');
  await page.click('[data-testid=run-activity]');
  await activity(json(['activity', '--events', cleaned.events, '--churn-days', '60']));
  const trendCsv = await download(page, 'export-custlens_activity-csv');
  assert.ok(trendCsv.bytes.toString('utf8').startsWith('\ufeffmonth,as_of,customers,active,regular,silent,churned'), 'activity CSV header');
  await page.screenshot({ path: path.join(OUT, 'analyses-activity.png'), fullPage: true });
  await close();
});

test('channels and tags: attribution models and tag rules from the sample tables, the same figures as the CLI', async () => {
  const dir = path.join(WORK, 'channels');
  cli(['sample', '--customers', '5000', '--seed', '20240601', '--dir', dir]);
  // `custlens channels` reads its files as they are: give it the cleaned tables the page analyses.
  const cleaned = {};
  for (const [kind, name] of [['orders', 'orders'], ['customers', 'customers'], ['channels', 'channels'], ['channels', 'touchpoints']]) {
    const out = path.join(WORK, `channels-clean-${name}`);
    cli(['clean', '--kind', kind, '--input', path.join(dir, `sample_${name}.csv`), '--out', out, '--unmasked']);
    cleaned[name] = path.join(out, 'clean.csv');
  }
  const json = (args) => JSON.parse(cli([...args, '--json']).toString());
  const near = (got, want, what) => {
    if (want === null || want === undefined) return assert.equal(got ?? '', '', `${what}: browser ${got}, CLI none`);
    assert.ok(got !== '' && got !== null && got !== undefined, `${what}: browser shows none, CLI ${want}`);
    const g = Number(got);
    assert.ok(g === want || Math.abs(g - want) <= 1e-9 * Math.abs(want), `${what}: browser ${got}, CLI ${want}`);
  };
  const same = (got, want, what) => assert.equal(String(got ?? ''), String(want ?? ''), what);
  const { page, close } = await open('zh-CN');

  // Only a CRM table: the channels tab says which kind of source it needs.
  await page.setInputFiles('[data-testid=sources-input]', [path.join(dir, 'sample_customers.csv')]);
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  await page.click('[data-testid=tab-channels]');
  await page.click('[data-testid=run-channels]');
  await page.waitForSelector('[data-testid=channels-error]');
  assert.match(await page.textContent('[data-testid=channels-error]'), /来源中没有渠道表/);

  await page.click('[data-testid=load-sample-sources]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-list] tbody tr').length === 7, null, { timeout: 60_000 });
  await page.waitForSelector('[data-testid=unified]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  const kinds = await page.$$eval('[data-testid=source-list] tbody tr', (trs) => trs.map((tr) => tr.dataset.kind));
  assert.deepEqual(kinds, ['customers', 'orders', 'tickets', 'surveys', 'events', 'channels', 'channels']);

  // Channels: defaults (30 days, last touch), then a 14-day lookback with linear revenue.
  const chArgs = ['channels', '--channels', cleaned.channels, '--touchpoints', cleaned.touchpoints, '--orders', cleaned.orders, '--customers', cleaned.customers];
  const channels = async (want, sel) => {
    await page.waitForSelector(sel, { timeout: 60_000 });
    same(await page.getAttribute('[data-testid=channels-result]', 'data-revenue-source'), want.revenue_source.model, 'revenue source');
    const rows = await page.$$eval('[data-testid=channels-table] tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
    assert.equal(rows.length, want.channels.length);
    want.channels.forEach((m, i) => {
      same(rows[i].channel, m.channel, 'channel');
      for (const [k, key] of [['uv', 'uv'], ['clicks', 'clicks'], ['orders', 'orders'], ['cost', 'cost'], ['revenue', 'revenue'], ['newCustomers', 'new_customers']]) {
        same(rows[i][k], m[key], `${m.channel} ${key}`);
      }
      for (const [k, key] of [['clickRate', 'click_rate'], ['conversion', 'conversion'], ['uvConversion', 'uv_conversion'], ['roi', 'roi'], ['cac', 'cac']]) {
        near(rows[i][k], m[key], `${m.channel} ${key}`);
      }
    });
    const a = want.attribution;
    const at = page.locator('[data-testid=attribution]');
    for (const [attr, key] of [['data-orders', 'orders'], ['data-revenue', 'revenue'], ['data-touched', 'orders_touched'], ['data-direct', 'orders_direct']]) {
      same(await at.getAttribute(attr), a[key], `attribution ${key}`);
    }
    const credits = await page.$$eval('[data-testid=attribution-table] tbody tr', (trs) => trs.map((tr) => ({
      channel: tr.dataset.channel, cells: [...tr.querySelectorAll('td[data-col=orders]')].map((td) => ({ ...td.dataset })) })));
    assert.equal(credits.length, a.models[0].credits.length);
    assert.ok(credits.some((r) => r.channel === '(direct / none)' && r.cells.length === 4), 'the direct bucket is listed');
    for (const m of a.models) {
      for (const c of m.credits) {
        const cell = credits.find((r) => r.channel === c.channel)?.cells.find((x) => x.model === m.model);
        assert.ok(cell, `${m.model} ${c.channel}`);
        near(cell.orders, c.orders, `${m.model} ${c.channel} orders`);
        same(cell.revenue, c.revenue, `${m.model} ${c.channel} revenue`);
        near(cell.share, c.revenue_share, `${m.model} ${c.channel} share`);
      }
    }
    await page.waitForSelector('[data-testid=channels-chart][data-drawn=true]');
    await page.waitForSelector('[data-testid=attribution-chart][data-drawn=true]');
  };
  await page.click('[data-testid=run-channels]');
  await channels(json(chArgs), '[data-testid=channels-result][data-lookback="30"][data-revenue-source=last_touch]');
  assert.match(await page.textContent('[data-testid=channels-revenue-source]'), /末次触点/);
  await page.fill('[data-testid=channels-lookback]', '14');
  await page.dispatchEvent('[data-testid=channels-lookback]', 'change');
  await page.selectOption('[data-testid=channels-model]', 'linear');
  await page.click('[data-testid=run-channels]');
  const chArgs2 = [...chArgs, '--lookback-days', '14', '--revenue-model', 'linear'];
  await channels(json(chArgs2), '[data-testid=channels-result][data-lookback="14"][data-revenue-source=linear]');
  // The downloads are the CLI's files, byte for byte.
  const chOut = path.join(WORK, 'channels-out');
  fs.mkdirSync(chOut, { recursive: true });
  cli([...chArgs2, '--out', path.join(chOut, 'channels.csv'), '--attribution-out', path.join(chOut, 'attribution.csv')]);
  cli([...chArgs2, '--out', path.join(chOut, 'channels.xlsx')]);
  for (const [testid, name, file] of [['export-custlens_channels-csv', 'custlens_channels.csv', 'channels.csv'],
    ['export-custlens_channels-xlsx', 'custlens_channels.xlsx', 'channels.xlsx'], ['export-custlens_attribution-csv', 'custlens_attribution.csv', 'attribution.csv']]) {
    const got = await download(page, testid);
    assert.equal(got.name, name);
    assert.ok(got.bytes.equals(fs.readFileSync(path.join(chOut, file))), `${name} differs from custlens channels`);
  }
  await page.screenshot({ path: path.join(OUT, 'analyses-channels.png'), fullPage: true });

  // Tags: the default set, as `custlens tags` on the same sources (it cleans them as the page does).
  await page.click('[data-testid=tab-tags]');
  const tagArgs = ['tags', ...['customers', 'orders', 'tickets', 'events', 'surveys'].flatMap((k) => [`--${k}`, path.join(dir, `sample_${k}.csv`)])];
  const iso = (days) => new Date(days * 86_400_000).toISOString().slice(0, 10);
  const tags = async (want, sel) => {
    await page.waitForSelector(sel, { timeout: 60_000 });
    const r = page.locator('[data-testid=tags-result]');
    same(await r.getAttribute('data-customers'), want.customers, 'customers');
    same(await r.getAttribute('data-as-of'), iso(want.as_of), 'as of');
    const rows = await page.$$eval('[data-testid=tag-coverage] tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
    assert.equal(rows.length, want.tags.length);
    want.tags.forEach((t, i) => {
      same(rows[i].tag, t.name, 'tag');
      same(rows[i].count, t.count, `${t.name} count`);
      near(rows[i].share, t.share, `${t.name} share`);
      same(rows[i].dimension, t.dimension, `${t.name} dimension`);
      same(rows[i].level, t.level, `${t.name} level`);
      same(rows[i].missing, t.missing_source, `${t.name} missing source`);
    });
    const overlap = await page.$$eval('[data-testid=tag-overlap] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => [td.dataset.both, td.dataset.jaccard])));
    want.overlap.forEach((row, i) => row.forEach((o, j) => {
      same(overlap[i][j][0], o.both, `${want.tags[i].name} × ${want.tags[j].name} both`);
      near(overlap[i][j][1], o.jaccard, `${want.tags[i].name} × ${want.tags[j].name} Jaccard`);
    }));
  };
  const wantT = json(tagArgs);
  await page.click('[data-testid=run-tags]');
  await tags(wantT, `[data-testid=tag-coverage] tr[data-tag="高价值"][data-count="${wantT.tags[0].count}"]`);
  assert.ok(wantT.tags.every((t) => t.count > 0), 'every default tag has customers in the sample');

  // A wrong value is named beside its tag; then the threshold of 高价值 is raised to 5000.
  const high = '[data-testid=tag-editor][data-tag="高价值"]';
  const amount = `${high} [data-testid=tag-condition][data-j="0"] [data-testid=cond-value]`;
  await page.fill(amount, 'many');
  await page.dispatchEvent(amount, 'change');
  await page.waitForSelector(`${high} [data-testid=tag-error]`);
  assert.match(await page.textContent(`${high} [data-testid=tag-error]`), /高价值.*是数值/);
  await page.fill(amount, '5000');
  await page.dispatchEvent(amount, 'change');
  await page.waitForSelector(`${high} [data-testid=tag-error]`, { state: 'detached' });
  const rules = path.join(WORK, 'tags.json');
  cli(['tags', '--customers', path.join(dir, 'sample_customers.csv'), '--orders', path.join(dir, 'sample_orders.csv'), '--defaults-out', rules]);
  const defs = JSON.parse(fs.readFileSync(rules, 'utf8'));
  assert.equal(defs[0].rule.items[0].metric, 'order_amount');
  defs[0].rule.items[0].value = 5000;
  fs.writeFileSync(rules, JSON.stringify(defs, null, 2));
  const exported = await download(page, 'tags-export-json');
  assert.equal(exported.name, 'tags.json');
  assert.deepEqual(JSON.parse(exported.bytes.toString('utf8')), defs, 'the page exports the definitions it runs');
  const wantE = json([...tagArgs, '--rules', rules]);
  assert.notEqual(wantE.tags[0].count, wantT.tags[0].count, 'the higher threshold changes 高价值');
  await page.click('[data-testid=run-tags]');
  await tags(wantE, `[data-testid=tag-coverage] tr[data-tag="高价值"][data-count="${wantE.tags[0].count}"]`);

  // The customers of 高价值: the first 100 listed, all of them in the download — the rows of
  // `custlens tags --out` that carry it (the sample's ids are not personal data: masking leaves them).
  const tagOut = path.join(WORK, 'tags-out.csv');
  cli([...tagArgs, '--rules', rules, '--out', tagOut]);
  const cliText = fs.readFileSync(tagOut, 'utf8');
  const lines = cliText.split('\r\n').filter((l) => l !== '');
  const ofTag = lines.slice(1).filter((l) => l.split(',')[1].split(';').includes('高价值'));
  assert.equal(ofTag.length, wantE.tags[0].count);
  await page.click('[data-testid=tag-coverage] tr[data-tag="高价值"] [data-testid=tag-show]');
  await page.waitForSelector('[data-testid=tag-members][data-tag="高价值"]');
  const listed = await page.$$eval('[data-testid=tag-members] li', (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(listed, ofTag.slice(0, 100).map((l) => l.split(',')[0]));
  const members = await download(page, 'export-tag-members');
  assert.equal(members.name, 'custlens_tag_高价值.csv');
  assert.equal(members.bytes.toString('utf8'), [lines[0], ...ofTag].join('\r\n') + '\r\n');
  const all = await download(page, 'export-custlens_tags-csv');
  assert.ok(all.bytes.equals(fs.readFileSync(tagOut)), 'all tagged customers differ from custlens tags --out');
  await page.screenshot({ path: path.join(OUT, 'analyses-tags.png'), fullPage: true });

  // Importing tags.json replaces the definitions; a file that is not a list of tags is refused, the tags stay.
  const two = path.join(WORK, 'tags-two.json');
  fs.writeFileSync(two, JSON.stringify(defs.slice(0, 2)));
  await page.setInputFiles('[data-testid=tags-import]', two);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=tag-editor]').length === 2);
  assert.equal(await page.inputValue(amount), '5000');
  const bad = path.join(WORK, 'tags-bad.json');
  fs.writeFileSync(bad, '{"name": 1}');
  await page.setInputFiles('[data-testid=tags-import]', bad);
  await page.waitForSelector('[data-testid=tags-import-error]');
  assert.match(await page.textContent('[data-testid=tags-import-error]'), /不是有效的 JSON/);
  assert.equal(await page.locator('[data-testid=tag-editor]').count(), 2);
  await close();
});

test('a large file: parallel workers, progress, cancel, a responsive page and the same rows as the CLI', async () => {
  const big = path.join(WORK, 'big.csv');
  cli(['sample', '--customers', '200000', '--orders', big]);
  const { page, close } = await open('zh-CN');
  // The progress bar is watched from inside the page: on a fast machine the whole run can take less than
  // a second, too short for polling from outside to catch. The first run is cancelled the moment its
  // progress bar shows; the second is left to finish, and the values its bar showed are recorded.
  await page.evaluate(() => {
    window.__progress = [];
    window.__cancelOnProgress = true;
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid=progress] progress[value]');
      if (!bar) return;
      window.__progress.push(Number(bar.value));
      if (window.__cancelOnProgress) {
        window.__cancelOnProgress = false;
        document.querySelector('[data-testid=cancel]').click();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await pick(page, big);
  await page.waitForSelector('[data-testid=cancelled]');
  assert.equal(await page.locator('[data-testid=rfm-result]').count(), 0);
  await page.evaluate(() => { window.__progress = []; });
  await pick(page, big);
  const r = await result(page);
  const shown = await page.evaluate(() => window.__progress);
  assert.ok(shown.length > 0, 'no progress bar was shown while the file was read');
  assert.ok(shown.every((v, i) => v >= 0 && v <= 100 && (i === 0 || v >= shown[i - 1] || v === 0)), `progress went back: ${shown}`);
  const longest = await page.evaluate(() => window.__longest);
  console.log(`    ${(fs.statSync(big).size / 1e6).toFixed(0)} MB; longest main-thread task ${longest.toFixed(0)} ms`);
  assert.ok(longest < 500, `the main thread was blocked for ${longest} ms`);
  const got = await download(page, 'export-csv');
  const want = cliRfm(big, ['--lang', 'zh-CN']);
  assert.ok(got.bytes.equals(want.rfm), 'large-file export differs from the CLI');
  assert.equal(await r.getAttribute('data-customers'), String(want.rfm.toString().trim().split('\n').length - 1));
  await close();
});

test('customer profiles: shares by dimension, numeric summaries and the heat map from the sample tables, the same as custlens profiles; downloads identical', async () => {
  const dir = path.join(WORK, 'profiles');
  cli(['sample', '--customers', '5000', '--seed', '20240601', '--dir', dir]);
  // `custlens profiles` cleans and joins its files as the page does.
  const files = ['customers', 'orders', 'events'].flatMap((k) => [`--${k}`, path.join(dir, `sample_${k}.csv`)]);
  const json = (extra = []) => JSON.parse(cli(['profiles', ...files, ...extra, '--json']).toString());
  const near = (got, want, what) => {
    assert.ok(got !== '' && got !== null && got !== undefined, `${what}: browser shows none, CLI ${want}`);
    const g = Number(got);
    assert.ok(g === want || Math.abs(g - want) <= 1e-9 * Math.abs(want), `${what}: browser ${got}, CLI ${want}`);
  };
  const { page, close } = await open('zh-CN');
  await page.click('[data-testid=load-sample-sources]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-list] tbody tr').length === 7, null, { timeout: 60_000 });
  await page.waitForSelector('[data-testid=unified]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  await page.click('[data-testid=tab-profiles]');

  const check = async (want, dims) => {
    const r = page.locator('[data-testid=profiles-result]');
    for (const [attr, key] of [['data-customers', 'customers'], ['data-in-crm', 'in_crm'], ['data-buyers', 'buyers'], ['data-as-of', 'as_of']]) {
      assert.equal(await r.getAttribute(attr), String(want[key] ?? ''), key);
    }
    for (const dim of dims) {
      await page.selectOption('[data-testid=profiles-dimension]', dim);
      await page.waitForSelector(`[data-testid=profiles-dimension-table][data-dimension=${dim}]`);
      const rows = await page.$$eval('[data-testid=profiles-dimension-table] tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
      const exp = want.dimensions.find((d) => d.dimension === dim).rows;
      assert.equal(rows.length, exp.length, `${dim} rows`);
      exp.forEach((w, i) => {
        assert.equal(rows[i].kind, w.kind, `${dim} row ${i} kind`);
        assert.equal(rows[i].value, w.value, `${dim} row ${i}`);
        assert.equal(rows[i].customers, String(w.customers), `${dim} ${w.value} customers`);
        near(rows[i].share, w.share, `${dim} ${w.value} share`);
      });
      await page.waitForSelector('[data-testid=profiles-dimension-chart][data-drawn=true]');
    }
    const aov = want.numbers.find((m) => m.measure === 'order_value').summary;
    const row = page.locator('[data-testid=profiles-numbers] tr[data-measure=order_value]');
    assert.equal(await row.getAttribute('data-count'), String(aov.count), 'orders counted');
    for (const k of ['mean', 'std', 'min', 'q1', 'median', 'q3', 'max']) near(await row.getAttribute(`data-${k}`), aov[k], `order value ${k}`);
    near(await page.getAttribute('[data-testid=profiles-aov]', 'data-value'), aov.mean, '客单价');
  };

  const want = json();
  await page.click('[data-testid=run-profiles]');
  await page.waitForSelector('[data-testid=profiles-result]', { timeout: 60_000 });
  await check(want, ['gender', 'province', 'city_tier']);
  // City tiers are named in the page's language; the unknown row is 未知.
  assert.deepEqual(await page.$$eval('[data-testid=profiles-dimension-table] tbody th', (ths) => ths.map((th) => th.textContent)),
    ['一线', '新一线', '二线', '三线及以下', '未知']);
  // The heat map: the busiest cell and a quiet one, events and distinct customers, as the CLI counts them.
  assert.equal(await page.getAttribute('[data-testid=profiles-heat-source]', 'data-source'), want.heat.source);
  let best = [0, 0];
  want.heat.counts.forEach((row, d) => row.forEach((k, h) => { if (k > want.heat.counts[best[0]][best[1]]) best = [d, h]; }));
  for (const [d, h] of [best, [6, 23]]) {
    const cell = page.locator(`[data-testid=profiles-heat] td[data-weekday="${d}"][data-hour="${h}"]`);
    assert.equal(await cell.getAttribute('data-count'), String(want.heat.counts[d][h]), `events on day ${d} at ${h}h`);
    assert.equal(await cell.getAttribute('data-customers'), String(want.heat.customers[d][h]), `customers on day ${d} at ${h}h`);
  }
  assert.ok(want.heat.counts[best[0]][best[1]] > 0);
  assert.equal(await page.textContent('[data-testid=profiles-heat] tbody tr[data-weekday="0"] th'), '周一');
  await page.waitForSelector('[data-testid=profiles-heatmap][data-drawn=true]');
  await page.waitForSelector('[data-testid=profiles-histogram][data-drawn=true]');
  await page.screenshot({ path: path.join(OUT, 'analyses-profiles.png'), fullPage: true });

  // The downloads are the CLI's files, byte for byte.
  const out = path.join(WORK, 'profiles-out');
  cli(['profiles', ...files, '--out', out]);
  cli(['profiles', ...files, '--out', out, '--format', 'xlsx']);
  for (const [testid, name, file] of [['export-custlens_profiles-csv', 'custlens_profiles.csv', 'profiles.csv'],
    ['export-custlens_profile_numbers-csv', 'custlens_profile_numbers.csv', 'profile_numbers.csv'],
    ['export-custlens_profile_histograms-csv', 'custlens_profile_histograms.csv', 'profile_histograms.csv'],
    ['export-custlens_profile_heatmap-csv', 'custlens_profile_heatmap.csv', 'profile_heatmap.csv'],
    ['export-custlens_profiles-xlsx', 'custlens_profiles.xlsx', 'profiles.xlsx']]) {
    const got = await download(page, testid);
    assert.equal(got.name, name);
    assert.ok(got.bytes.equals(fs.readFileSync(path.join(out, file))), `${name} differs from custlens profiles`);
  }

  // Parameters: fewer values listed, other bins and age bands, three dimensions only.
  await enter(page, 'profiles-top', '3');
  await enter(page, 'profiles-bins', '5');
  await enter(page, 'profiles-age-bands', '30,40,50');
  for (const dim of ['gender', 'city', 'industry', 'company_size', 'member_level', 'channel', 'device', 'os']) {
    await page.uncheck(`[data-testid=profiles-dim-${dim}]`);
  }
  await page.click('[data-testid=run-profiles]');
  await page.waitForSelector('[data-testid=profiles-result][data-dimensions="3"]', { timeout: 60_000 });
  const want2 = json(['--top', '3', '--bins', '5', '--age-bands', '30,40,50', '--dimension', 'age_band', '--dimension', 'province', '--dimension', 'city_tier']);
  assert.equal(want2.dimensions.length, 3);
  await check(want2, ['age_band', 'province', 'city_tier']);
  const province = want2.dimensions.find((d) => d.dimension === 'province').rows;
  assert.deepEqual(province.map((r) => r.kind), ['value', 'value', 'value', 'other', 'unknown']);
  // Age bands that do not increase are refused with a message.
  await page.fill('[data-testid=profiles-age-bands]', '40,30');
  await page.dispatchEvent('[data-testid=profiles-age-bands]', 'change');
  await page.click('[data-testid=run-profiles]');
  await page.waitForSelector('[data-testid=profiles-error]');
  assert.match(await page.textContent('[data-testid=profiles-error]'), /年龄段“40,30”无效/);
  await close();
});

test('RFM editor: breakpoints, 0–100 score, a segment rules file, edited actions, an R × F cell and the migration, the same as custlens rfm; the settings kept in a workspace', async () => {
  let { page, close } = await open('zh-CN');
  await page.click('[data-testid=load-sample]');
  await result(page);
  const sample = path.join(WORK, 'sample-rfm.csv');
  cli(['sample', '--orders', sample]);
  const rules = {
    rules: [
      { name: '顶级', when: { score100: { min: 85 } }, action: '专属客服' },
      { name: '活跃', when: { r: { min: 4 }, f: { min: 3 } } },
      { name: '高额沉睡', when: { recency_days: { min: 181 }, vs_mean: { m: true } } },
      { name: '沉睡', when: { recency_days: { min: 181 } } },
    ],
    other: { name: '其他' },
  };
  const rulesFile = path.join(WORK, 'segments.json');
  fs.writeFileSync(rulesFile, JSON.stringify(rules));

  // Breakpoints that are not ascending are refused, naming the measure.
  await page.fill('[data-testid=breaks-frequency]', '3,2,1,0');
  await page.click('[data-testid=rfm-apply]');
  await page.waitForSelector('[data-testid=rfm-params-error]');
  assert.match(await page.textContent('[data-testid=rfm-params-error]'), /频次 F 的分界点 3, 2, 1, 0 无效/);
  await page.fill('[data-testid=breaks-frequency]', '');
  // User breakpoints for R and M, the 0–100 score with weights 0.5 / 0.3 / 0.2.
  await page.fill('[data-testid=breaks-recency]', '30,60,90,180');
  await page.fill('[data-testid=breaks-monetary]', '100,500,1000,3000');
  await page.check('[data-testid=scale100]');
  await page.fill('[data-testid=weight-r]', '0.5');
  await page.fill('[data-testid=weight-f]', '0.3');
  await page.fill('[data-testid=weight-m]', '0.2');
  await page.click('[data-testid=rfm-apply]');
  await page.waitForSelector('[data-testid=rfm-editor] tr[data-measure=recency][data-user=true]');
  assert.equal(await page.getAttribute('[data-testid=rfm-editor] tr[data-measure=frequency]', 'data-user'), 'false');
  // The rules file: loaded and applied with the breakpoints and weights on screen.
  await page.setInputFiles('[data-testid=rules-file]', rulesFile);
  await page.waitForSelector('[data-testid=rfm-editor][data-user-rules=true]');
  const names = await page.locator('[data-testid=segment-table] tbody th').allTextContents();
  assert.deepEqual(names, ['顶级', '活跃', '高额沉睡', '沉睡', '其他']);
  // A suggested action edited in the page.
  const active = page.locator('[data-testid=segment-table] tr[data-segment="活跃"] [data-testid=segment-action]');
  await active.fill('每周推送新品');
  await active.dispatchEvent('change');

  const out = (n) => path.join(WORK, n);
  const rules2 = out('segments2.json');
  rules.rules[1].action = '每周推送新品';
  fs.writeFileSync(rules2, JSON.stringify(rules));
  const want = JSON.parse(cli(['rfm', '--orders', sample, '--lang', 'zh-CN', '--breaks-r', '30,60,90,180',
    '--breaks-m', '100,500,1000,3000', '--scale100', '0.5,0.3,0.2', '--segments', rules2, '--json',
    '--out', out('rfm.csv'), '--segments-out', out('segments.csv'), '--rf-cell', '5,1', '--rf-cell-out', out('cell.csv'),
    '--migrate-from', '2024-07-01', '--migration-out', out('migration.csv')]).toString());
  for (const s of want.segments) {
    const row = page.locator(`[data-testid=segment-table] tr[data-segment="${s.key}"]`);
    assert.equal(await row.locator('[data-col=customers]').textContent(), s.customers.toLocaleString('en-US'));
    assert.equal(Number(await row.locator('[data-col=score100]').getAttribute('data-value')), s.mean_score100, s.name);
  }
  const perCustomer = await download(page, 'export-csv');
  assert.ok(perCustomer.bytes.equals(fs.readFileSync(out('rfm.csv'))), 'per-customer export (with score100) differs from the CLI');
  assert.match(perCustomer.bytes.toString('utf8').split('\r\n')[0], /,segment,score100$/);
  const summary = await download(page, 'export-segments');
  assert.ok(summary.bytes.equals(fs.readFileSync(out('segments.csv'))), 'segment summary (with the edited action) differs from the CLI');
  assert.match(summary.bytes.toString('utf8'), /活跃,.*,每周推送新品\r\n/);
  const saved = await download(page, 'rules-save');
  assert.equal(saved.name, 'segments.json');
  assert.deepEqual(JSON.parse(saved.bytes.toString('utf8')).rules.map((r) => r.name), ['顶级', '活跃', '高额沉睡', '沉睡']);

  // R × F heat map: every cell as the CLI's grid; a cell's customers listed and downloaded.
  await page.waitForSelector('[data-testid=rf-heat-chart][data-drawn=true]');
  for (const c of want.rf.cells) {
    const td = page.locator(`[data-testid=rf-grid] td[data-r="${c.r}"][data-f="${c.f}"]`);
    assert.equal(Number(await td.getAttribute('data-customers')), c.customers, `cell ${c.r},${c.f}`);
    const mean = await td.getAttribute('data-mean');
    assert.equal(mean === '' ? null : Number(mean), c.mean_monetary, `cell ${c.r},${c.f} mean`);
  }
  const cell = want.rf.cells.find((c) => c.r === 5 && c.f === 1);
  assert.ok(cell.customers > 100, `cell 5,1 has ${cell.customers}`);
  await page.click('[data-testid=rf-grid] td[data-r="5"][data-f="1"] [data-testid=rf-cell]');
  const members = page.locator('[data-testid=member-list][data-of=\'{"RfCell":{"r":5,"f":1}}\']');
  await members.waitFor();
  assert.equal(Number(await members.getAttribute('data-count')), cell.customers);
  assert.equal(await members.locator('tbody tr').count(), 100);
  const cellCsv = fs.readFileSync(out('cell.csv')).toString('utf8').split('\r\n');
  assert.equal(await members.locator('tbody tr').first().locator('td').first().textContent(), cellCsv[1].split(',')[0]);
  const cellDl = await download(page, 'export-members');
  assert.equal(cellDl.name, 'custlens_rfm_r5_f1.csv');
  assert.ok(cellDl.bytes.equals(fs.readFileSync(out('cell.csv'))), 'cell customers differ from custlens rfm --rf-cell-out');

  // Migration from 2024-07-01 to the snapshot: the same matrix and file as the CLI.
  await page.fill('[data-testid=mig-from]', '2024-07-01');
  await page.dispatchEvent('[data-testid=mig-from]', 'change');
  await page.click('[data-testid=run-migration]');
  const mig = page.locator('[data-testid=migration]');
  await mig.waitFor({ timeout: 60_000 });
  const m = want.migration;
  const k = m.segments.length;
  const key = (i) => (i < k ? m.segments[i].Named : '*');
  for (let i = 0; i <= k; i++) {
    for (let j = 0; j <= k; j++) {
      const td = page.locator(`[data-testid=migration-matrix] tr[data-from="${key(i)}"] td[data-to="${key(j)}"]`);
      assert.equal(Number(await td.getAttribute('data-count')), m.counts[i][j], `migration ${i},${j}`);
      assert.equal(Number(await td.getAttribute('data-share')), m.row_shares[i][j], `migration share ${i},${j}`);
    }
  }
  assert.equal(Number(await mig.getAttribute('data-customers')), m.customers);
  const migDl = await download(page, 'export-migration');
  assert.ok(migDl.bytes.equals(fs.readFileSync(out('migration.csv'))), 'migration matrix differs from custlens rfm --migration-out');
  await page.screenshot({ path: path.join(OUT, 'rfm-editor.png'), fullPage: true });

  // The settings saved with a workspace (the sample orders as its source): the manifest keeps the breakpoints,
  // weights, rules and the edited action, not the snapshot.
  await page.setInputFiles('[data-testid=sources-input]', [sample]);
  await page.waitForSelector('[data-testid=source-list] tbody tr[data-kind=orders]');
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  const pass = 'rfm settings kept';
  await page.fill('[data-testid=ws-passphrase]', pass);
  const wsFile = await download(page, 'ws-save');
  const sealed = out('rfm-ws.custlens');
  fs.writeFileSync(sealed, wsFile.bytes);
  execFileSync(CLI, ['vault', 'open', '--in', sealed, '--out', out('rfm-ws.plain')], { env: { ...process.env, CUSTLENS_PASSPHRASE: pass } });
  const plain = fs.readFileSync(out('rfm-ws.plain'));
  const manifest = JSON.parse(plain.subarray(8, 8 + plain.readUInt32LE(4)).toString('utf8'));
  assert.deepEqual(manifest.rfm.params.breaks, { recency: [30, 60, 90, 180], frequency: null, monetary: [100, 500, 1000, 3000] });
  assert.deepEqual(manifest.rfm.params.scale100, { r: 0.5, f: 0.3, m: 0.2 });
  assert.deepEqual(manifest.rfm.params.rules.rules.map((r) => r.name), ['顶级', '活跃', '高额沉睡', '沉睡']);
  assert.equal(manifest.rfm.params.snapshot, null);
  assert.deepEqual(manifest.rfm.actions, { 活跃: '每周推送新品' });
  await close();

  // A fresh page scores the sample with the defaults; opening the workspace puts the settings back in the editor and
  // scores it again with them: the CLI's segments, 0–100 means and files, the edited action shown and exported.
  ({ page, close } = await open('zh-CN'));
  await page.click('[data-testid=load-sample]');
  await result(page);
  await page.waitForSelector('[data-testid=rfm-editor][data-user-rules=false]');
  assert.equal(await page.locator('[data-testid=segment-table] tbody tr').count(), 8);
  assert.equal(await page.inputValue('[data-testid=breaks-recency]'), '');
  await page.fill('[data-testid=ws-passphrase]', pass);
  await page.setInputFiles('[data-testid=ws-open]', sealed);
  await page.waitForSelector('[data-testid=ws-message][data-ok=true]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=rfm-editor][data-user-rules=true]', { timeout: 60_000 });
  assert.equal(await page.inputValue('[data-testid=breaks-recency]'), '30,60,90,180');
  assert.equal(await page.inputValue('[data-testid=breaks-frequency]'), '');
  assert.equal(await page.inputValue('[data-testid=breaks-monetary]'), '100,500,1000,3000');
  for (const [m, user] of [['recency', 'true'], ['frequency', 'false'], ['monetary', 'true']]) {
    assert.equal(await page.getAttribute(`[data-testid=rfm-editor] tr[data-measure=${m}]`, 'data-user'), user, m);
  }
  assert.equal(await page.isChecked('[data-testid=scale100]'), true);
  assert.deepEqual(await Promise.all(['r', 'f', 'm'].map((k) => page.inputValue(`[data-testid=weight-${k}]`))), ['0.5', '0.3', '0.2']);
  assert.deepEqual(JSON.parse(await page.inputValue('[data-testid=rules-json]')).rules.map((r) => r.name), ['顶级', '活跃', '高额沉睡', '沉睡']);
  assert.deepEqual(await page.locator('[data-testid=segment-table] tbody th').allTextContents(), ['顶级', '活跃', '高额沉睡', '沉睡', '其他']);
  for (const s of want.segments) {
    const row = page.locator(`[data-testid=segment-table] tr[data-segment="${s.key}"]`);
    assert.equal(await row.locator('[data-col=customers]').textContent(), s.customers.toLocaleString('en-US'), s.name);
    assert.equal(Number(await row.locator('[data-col=score100]').getAttribute('data-value')), s.mean_score100, s.name);
  }
  const actionOf = (key) => page.inputValue(`[data-testid=segment-table] tr[data-segment="${key}"] [data-testid=segment-action]`);
  assert.equal(await actionOf('活跃'), '每周推送新品');
  assert.equal(await actionOf('顶级'), '专属客服');
  const reopenedSummary = await download(page, 'export-segments');
  assert.ok(reopenedSummary.bytes.equals(fs.readFileSync(out('segments.csv'))), 'segment summary after reopening differs from the CLI');
  const reopenedCustomers = await download(page, 'export-csv');
  assert.ok(reopenedCustomers.bytes.equals(fs.readFileSync(out('rfm.csv'))), 'per-customer export after reopening differs from the CLI');

  // Back to the preset: its segments again, the 0–100 score still on.
  await page.click('[data-testid=rules-preset]');
  await page.waitForSelector('[data-testid=rfm-editor][data-user-rules=false]');
  assert.equal(await page.locator('[data-testid=segment-table] tbody tr').count(), 8);
  await close();
});

test('comparison: month-on-month, year-on-year by week and before/after a date from the sample tables, in its tab and beside satisfaction, activity, cohorts and channels, the same figures and files as custlens compare', async () => {
  const dir = path.join(WORK, 'compare');
  cli(['sample', '--customers', '5000', '--seed', '20240601', '--dir', dir]);
  // `custlens compare` reads its file as it is: give it the cleaned tables the page analyses.
  const cleaned = {};
  for (const kind of ['orders', 'surveys', 'tickets', 'events']) {
    const out = path.join(WORK, `compare-clean-${kind}`);
    cli(['clean', '--kind', kind, '--input', path.join(dir, `sample_${kind}.csv`), '--out', out, '--unmasked']);
    cleaned[kind] = path.join(out, 'clean.csv');
  }
  const json = (args) => JSON.parse(cli([...args, '--json']).toString());
  const raw = (f) => (f === null || f === undefined ? '' : String(Object.values(f)[0]));
  const near = (got, want, what) => {
    if (want === null || want === undefined) return assert.equal(got ?? '', '', `${what}: browser ${got}, CLI none`);
    assert.ok(got !== '' && got !== null && got !== undefined, `${what}: browser shows none, CLI ${want}`);
    const g = Number(got);
    assert.ok(g === want || Math.abs(g - want) <= 1e-12 * Math.abs(want), `${what}: browser ${got}, CLI ${want}`);
  };
  const fig = (got, want, what) => near(got, want === null ? null : Object.values(want)[0], what);
  const { page, close } = await open('zh-CN');
  await page.click('[data-testid=load-sample-sources]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-list] tbody tr').length === 7, null, { timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  await page.click('[data-testid=tab-compare]');

  // `at`: the test-id prefix of the place compared in (the tab, or beside an analysis).
  const periods = async (want, sel, at = 'compare') => {
    await page.waitForSelector(sel, { timeout: 60_000 });
    const rows = await page.$$eval(`[data-testid=${at}-table] tbody tr`, (trs) => trs.map((tr) => ({ ...tr.dataset,
      dir: tr.querySelector('td[data-direction]').dataset.direction })));
    assert.equal(rows.length, want.points.length);
    want.points.forEach((p, i) => {
      const r = rows[i];
      assert.equal(r.period, p.period);
      assert.equal(r.basePeriod, p.base_period);
      for (const [k, key] of [['value', 'value'], ['base', 'base'], ['change', 'change']]) fig(r[k], p[key], `${p.period} ${key}`);
      near(r.changePct, p.change_pct, `${p.period} change %`);
      const c = p.change === null ? null : Object.values(p.change)[0];
      assert.equal(r.dir, c === null ? '' : c > 0 ? 'up' : c < 0 ? 'down' : 'flat', `${p.period} marked`);
    });
    await page.waitForSelector(`[data-testid=${at}-chart][data-drawn=true]`);
  };
  // Defaults: revenue by month against the month before; a fall is marked ▼.
  await page.click('[data-testid=run-compare]');
  const rev = json(['compare', '--orders', cleaned.orders]);
  await periods(rev, '[data-testid=compare-result][data-metric=revenue][data-mode=mom]');
  assert.ok(rev.points.some((p) => p.change && p.change.money < 0), 'some month fell');
  assert.match(await page.textContent('[data-testid=compare-table] td.change-down'), /▼/);
  assert.match(await page.textContent('[data-testid=compare-rows]'), /sample_orders\.csv/);
  const out = path.join(WORK, 'compare-out');
  fs.mkdirSync(out, { recursive: true });
  cli(['compare', '--orders', cleaned.orders, '--out', path.join(out, 'mom.csv')]);
  cli(['compare', '--orders', cleaned.orders, '--out', path.join(out, 'mom.xlsx')]);
  for (const [ext, file] of [['csv', 'mom.csv'], ['xlsx', 'mom.xlsx']]) {
    const got = await download(page, `export-custlens_compare-${ext}`);
    assert.equal(got.name, `custlens_compare.${ext}`);
    assert.ok(got.bytes.equals(fs.readFileSync(path.join(out, file))), `${file} differs from custlens compare --out`);
  }
  await page.screenshot({ path: path.join(OUT, 'analyses-compare.png'), fullPage: true });

  // NPS by ISO week against 52 weeks before, over a chosen range.
  await page.selectOption('[data-testid=compare-metric]', 'nps');
  await page.selectOption('[data-testid=compare-mode]', 'yoy');
  await page.selectOption('[data-testid=compare-period]', 'week');
  for (const [id, day] of [['compare-from', '2024-07-01'], ['compare-to', '2024-12-31']]) {
    await page.fill(`[data-testid=${id}]`, day);
    await page.dispatchEvent(`[data-testid=${id}]`, 'change');
  }
  await page.click('[data-testid=run-compare]');
  const nps = json(['compare', '--surveys', cleaned.surveys, '--metric', 'nps', '--period', 'week', '--mode', 'yoy', '--from', '2024-07-01', '--to', '2024-12-31']);
  await periods(nps, '[data-testid=compare-result][data-metric=nps][data-mode=yoy][data-period=week]');
  assert.equal(nps.points[0].base_period, '2023-W27');

  // Complaints before and after 2024-06-01, 30 days each: both windows, the change and Welch's t-test.
  await page.selectOption('[data-testid=compare-metric]', 'complaints');
  await page.selectOption('[data-testid=compare-mode]', 'before_after');
  assert.ok(await page.isDisabled('[data-testid=run-compare]'), 'no date yet');
  await page.fill('[data-testid=compare-date]', '2024-06-01');
  await page.dispatchEvent('[data-testid=compare-date]', 'change');
  await page.click('[data-testid=run-compare]');
  const baArgs = ['compare', '--tickets', cleaned.tickets, '--metric', 'complaints', '--before-after', '2024-06-01', '--window', '30'];
  // Both windows, the change and Welch's t-test of a before/after result shown at `at`, as the CLI's `want`.
  const beforeAfter = async (want, sel, at = 'compare') => {
    const r = page.locator(sel);
    await r.waitFor({ timeout: 60_000 });
    for (const w of ['before', 'after']) {
      fig(await page.getAttribute(`[data-testid=${at}-${w}-value]`, 'data-value'), want[w].value, `${at} ${w} value`);
      near(await page.getAttribute(`[data-testid=${at}-${w}-mean]`, 'data-value'), want[w].daily_mean, `${at} ${w} daily mean`);
      assert.equal(await r.locator(`[data-window=${w}]`).getAttribute('data-from'), want[w].from);
    }
    fig(await r.getAttribute('data-change'), want.change, `${at} change`);
    near(await r.getAttribute('data-change-pct'), want.change_pct, `${at} change %`);
    near(await r.getAttribute('data-daily-mean-change'), want.daily_mean_change, `${at} daily mean change`);
    assert.equal(await r.getAttribute('data-test'), 'welch');
    for (const [k, key] of [['data-t', 't'], ['data-df', 'df'], ['data-p', 'p_value']]) near(await r.getAttribute(k), want.test.welch[key], `${at} ${key}`);
    assert.match(await page.textContent(`[data-testid=${at}-test]`), /Welch t 检验.*p = /);
    await page.waitForSelector(`[data-testid=${at}-chart][data-drawn=true]`);
  };
  await beforeAfter(json(baArgs), '[data-testid=compare-result][data-kind=before_after][data-metric=complaints]');
  cli([...baArgs, '--out', path.join(out, 'ba.csv')]);
  cli([...baArgs, '--out', path.join(out, 'ba.xlsx')]);
  for (const [ext, file] of [['csv', 'ba.csv'], ['xlsx', 'ba.xlsx']]) {
    const got = await download(page, `export-custlens_compare-${ext}`);
    assert.ok(got.bytes.equals(fs.readFileSync(path.join(out, file))), `${file} differs from custlens compare --before-after --out`);
  }
  await page.screenshot({ path: path.join(OUT, 'analyses-compare-before-after.png'), fullPage: true });

  // CSAT is a ratio: no test, said in words.
  await page.selectOption('[data-testid=compare-metric]', 'csat');
  await page.click('[data-testid=run-compare]');
  await page.waitForSelector('[data-testid=compare-result][data-metric=csat][data-test=ratio_metric]', { timeout: 60_000 });
  const csat = json(['compare', '--surveys', cleaned.surveys, '--metric', 'csat', '--before-after', '2024-06-01']);
  fig(await page.getAttribute('[data-testid=compare-after-value]', 'data-value'), csat.after.value, 'CSAT after');
  assert.match(await page.textContent('[data-testid=compare-test]'), /比率指标/);

  // Beside satisfaction: CSAT month-on-month, only that tab's metrics offered.
  await page.click('[data-testid=tab-satisfaction]');
  const offered = async (at) => page.$$eval(`[data-testid=${at}-metric] option`, (os) => os.map((o) => o.value));
  assert.deepEqual(await offered('satisfaction-compare'), ['csat', 'nps', 'answers', 'tickets', 'complaints']);
  await page.selectOption('[data-testid=satisfaction-compare-metric]', 'csat');
  await page.click('[data-testid=run-satisfaction-compare]');
  const csatArgs = ['compare', '--surveys', cleaned.surveys, '--metric', 'csat'];
  await periods(json(csatArgs), '[data-testid=satisfaction-compare-result][data-metric=csat][data-mode=mom][data-period=month]', 'satisfaction-compare');

  // Beside activity: active customers by ISO week against 52 weeks before.
  await page.click('[data-testid=tab-activity]');
  assert.deepEqual(await offered('activity-compare'), ['active_customers', 'events']);
  await page.selectOption('[data-testid=activity-compare-metric]', 'active_customers');
  await page.selectOption('[data-testid=activity-compare-mode]', 'yoy');
  await page.selectOption('[data-testid=activity-compare-period]', 'week');
  await page.click('[data-testid=run-activity-compare]');
  const activeArgs = ['compare', '--events', cleaned.events, '--metric', 'active_customers', '--period', 'week', '--mode', 'yoy'];
  const active = json(activeArgs);
  assert.ok(active.points.some((p) => p.base !== null), 'some week has a base a year before');
  await periods(active, '[data-testid=activity-compare-result][data-metric=active_customers][data-mode=yoy][data-period=week]', 'activity-compare');

  // Beside cohorts: new buyers month-on-month.
  await page.click('[data-testid=tab-cohorts]');
  assert.deepEqual(await offered('cohorts-compare'), ['new_buyers', 'buyers']);
  await page.click('[data-testid=run-cohorts-compare]');
  const newArgs = ['compare', '--orders', cleaned.orders, '--metric', 'new_buyers'];
  await periods(json(newArgs), '[data-testid=cohorts-compare-result][data-metric=new_buyers][data-mode=mom][data-period=month]', 'cohorts-compare');

  // Beside channels: orders before and after 2024-06-01 (14 days each), the windows and Welch's t-test.
  await page.click('[data-testid=tab-channels]');
  assert.deepEqual(await offered('channels-compare'), ['revenue', 'orders', 'buyers', 'aov']);
  await page.selectOption('[data-testid=channels-compare-metric]', 'orders');
  await page.selectOption('[data-testid=channels-compare-mode]', 'before_after');
  await enter(page, 'channels-compare-date', '2024-06-01');
  await enter(page, 'channels-compare-window', '14');
  await page.click('[data-testid=run-channels-compare]');
  const ordersBaArgs = ['compare', '--orders', cleaned.orders, '--metric', 'orders', '--before-after', '2024-06-01', '--window', '14'];
  await beforeAfter(json(ordersBaArgs), '[data-testid=channels-compare-result][data-kind=before_after][data-metric=orders][data-window="14"]', 'channels-compare');

  // Each place exports its own comparison, whichever ran last: the cohorts', channels', activity's, satisfaction's and the tab's before/after.
  const own = [
    ['cohorts', 'custlens_cohorts_compare', newArgs],
    ['channels', 'custlens_channels_compare', ordersBaArgs],
    ['activity', 'custlens_activity_compare', activeArgs],
    ['satisfaction', 'custlens_satisfaction_compare', csatArgs],
    ['compare', 'custlens_compare', ['compare', '--surveys', cleaned.surveys, '--metric', 'csat', '--before-after', '2024-06-01']],
  ];
  for (const [tab, stem, args] of own) {
    await page.click(`[data-testid=tab-${tab}]`);
    for (const ext of ['csv', 'xlsx']) {
      const file = path.join(out, `${stem}.${ext}`);
      cli([...args, '--out', file]);
      const got = await download(page, `export-${stem}-${ext}`);
      assert.equal(got.name, `${stem}.${ext}`);
      assert.ok(got.bytes.equals(fs.readFileSync(file)), `${tab}: ${stem}.${ext} differs from custlens ${args.join(' ')} --out`);
    }
  }
  await page.click('[data-testid=tab-satisfaction]');
  await page.screenshot({ path: path.join(OUT, 'analyses-compare-satisfaction.png'), fullPage: true });
  await close();
});

test('drill-downs: a migration cell, a cohort cell and a profile row list their customers (the counts and CSV files of the CLI); a list saved as a tag is covered in the tags tab and filters the analyses; an R × F cell saved as a tag', async () => {
  const { page, close } = await open('zh-CN');
  const lines = (bytes) => bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
  const file = (name) => path.join(WORK, name);

  // A migration cell of the RFM sample (classic 8 segments), from 2024-07-01 to the snapshot.
  await page.click('[data-testid=load-sample]');
  await result(page);
  const sample = file('drill-orders.csv');
  cli(['sample', '--orders', sample]);
  const mig = JSON.parse(cli(['rfm', '--orders', sample, '--migrate-from', '2024-07-01', '--json']).toString()).migration;
  const k = mig.segments.length;
  const key = (i) => (i < k ? mig.segments[i].Builtin : '*');
  const cliKey = (i, end) => (i < k ? mig.segments[i].Builtin : end);
  // The fullest cell that moves between two segments, and the new customers' fullest column.
  let [bi, bj] = [0, 1];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j && mig.counts[i][j] > mig.counts[bi][bj]) [bi, bj] = [i, j];
  let nj = 0;
  for (let j = 0; j <= k; j++) if (mig.counts[k][j] > mig.counts[k][nj]) nj = j;
  await page.fill('[data-testid=mig-from]', '2024-07-01');
  await page.dispatchEvent('[data-testid=mig-from]', 'change');
  await page.click('[data-testid=run-migration]');
  await page.waitForSelector('[data-testid=migration]', { timeout: 60_000 });
  for (const [i, j] of [[bi, bj], [k, nj]]) {
    assert.ok(mig.counts[i][j] > 0, `cell ${i},${j}`);
    await page.click(`[data-testid=migration-matrix] tr[data-from="${key(i)}"] td[data-to="${key(j)}"] [data-testid=migration-cell]`);
    const list = page.locator(`[data-testid=member-list][data-of='{"Migration":{"from":${i},"to":${j}}}']`);
    await list.waitFor({ timeout: 60_000 });
    assert.equal(Number(await list.getAttribute('data-count')), mig.counts[i][j], `migration ${i},${j} customers`);
    assert.equal(Number(await list.getAttribute('data-shown')), Math.min(100, mig.counts[i][j]));
    const out = file(`drill-mig-${i}-${j}.csv`);
    cli(['rfm', '--orders', sample, '--migrate-from', '2024-07-01', '--migration-cell', `${cliKey(i, 'new')}:${cliKey(j, 'none')}`, '--migration-cell-out', out]);
    const dl = await download(page, 'export-members');
    assert.ok(dl.bytes.equals(fs.readFileSync(out)), `migration cell ${i},${j} differs from custlens rfm --migration-cell-out`);
    assert.equal(lines(dl.bytes).length - 1, mig.counts[i][j]);
  }

  // The sample tables: a cohort cell and a cohort's size.
  const dir = file('drill-sources');
  cli(['sample', '--customers', '5000', '--seed', '20240601', '--dir', dir]);
  const cleanOut = file('drill-clean-orders');
  cli(['clean', '--kind', 'orders', '--input', path.join(dir, 'sample_orders.csv'), '--out', cleanOut, '--unmasked']);
  const orders = path.join(cleanOut, 'clean.csv');
  await page.click('[data-testid=load-sample-sources]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=source-list] tbody tr').length === 7, null, { timeout: 60_000 });
  await page.waitForSelector('[data-testid=unified]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=sources-busy][data-busy=false]', { state: 'attached' });
  await page.click('[data-testid=tab-cohorts]');
  await page.click('[data-testid=run-cohorts]');
  const coh = JSON.parse(cli(['cohorts', '--orders', orders, '--json']).toString());
  await page.waitForSelector(`[data-testid=cohorts-result][data-customers="${coh.customers}"]`, { timeout: 60_000 });
  const cohortCell = async (ci, kk, size) => {
    const c = coh.cohorts[ci];
    const want = kk === 0 ? c.customers : c.retained[kk];
    const row = `[data-testid=retention-table] tr[data-cohort="${c.period}"]`;
    await page.click(size ? `${row} [data-testid=cohort-size]` : `${row} td[data-k="${kk}"] [data-testid=cohort-cell]`);
    const list = page.locator(`[data-testid=member-list][data-of='{"Cohort":{"cohort":${ci},"offset":${kk}}}']`);
    await list.waitFor({ timeout: 60_000 });
    assert.equal(Number(await list.getAttribute('data-count')), want, `cohort ${c.period} +${kk}`);
    const out = file(`drill-cohort-${ci}-${kk}.csv`);
    cli(['cohorts', '--orders', orders, '--members', `${c.period}:${kk}`, '--members-out', out]);
    const dl = await download(page, 'export-members');
    assert.ok(dl.bytes.equals(fs.readFileSync(out)), `cohort ${c.period} +${kk} differs from custlens cohorts --members-out`);
    return { period: c.period, count: want, ids: lines(dl.bytes).slice(1) };
  };
  await cohortCell(0, 0, true);
  const cell = await cohortCell(2, 3, false);
  assert.ok(cell.count > 0 && cell.count < coh.cohorts[2].customers, `cohort cell of ${cell.count}`);

  // Saved as a tag (name edited): covered in the tags tab as the list, and a filter of the analyses.
  const tag = `回购-${cell.period}`;
  await page.fill('[data-testid=save-tag-name]', tag);
  await page.selectOption('[data-testid=save-tag-level]', 'core');
  await page.click('[data-testid=save-tag]');
  const done = page.locator(`[data-testid=save-tag-done][data-name="${tag}"]`);
  await done.waitFor({ timeout: 60_000 });
  assert.equal(Number(await done.getAttribute('data-customers')), cell.count, 'every listed customer is a customer of the view');
  assert.equal(await done.getAttribute('data-unmatched'), '0');
  await page.click('[data-testid=tab-tags]');
  const cov = page.locator(`[data-testid=tag-coverage] tr[data-tag="${tag}"]`);
  await cov.waitFor({ timeout: 60_000 });
  assert.equal(Number(await cov.getAttribute('data-count')), cell.count, 'the tag\'s coverage');
  const editor = page.locator(`[data-testid=tag-editor][data-tag="${tag}"]`);
  assert.equal(await editor.locator('[data-testid=tag-condition]').getAttribute('data-listed'), String(cell.count));
  assert.ok(!(await editor.textContent()).includes(cell.ids[0]), 'the ids are not written out in the editor');
  await page.selectOption('[data-testid=filter-tag]', { label: tag });
  await page.click('[data-testid=filter-apply]');
  await page.waitForSelector('[data-testid=filter-report][data-active=true][data-customers]', { timeout: 60_000 });
  assert.ok(Number(await page.getAttribute('[data-testid=filter-report]', 'data-customers')) >= cell.count);
  await page.click('[data-testid=tab-cohorts]');
  await page.click('[data-testid=run-cohorts]');
  // Only the tag's customers: all of one cohort, back three months later.
  const narrowed = page.locator(`[data-testid=cohorts-result][data-customers="${cell.count}"][data-cohorts="1"]`);
  await narrowed.waitFor({ timeout: 60_000 });
  assert.equal(await page.getAttribute('[data-testid=retention-table] tbody tr', 'data-cohort'), cell.period);
  assert.equal(await page.getAttribute('[data-testid=retention-table] tbody tr td[data-k="3"]', 'data-retained'), String(cell.count));
  await page.selectOption('[data-testid=filter-tag]', '');
  await page.click('[data-testid=filter-apply]');
  await page.waitForSelector('[data-testid=filter-report][data-active=false]', { state: 'attached', timeout: 60_000 });

  // A profile row: the top province.
  const files = ['customers', 'orders', 'events'].flatMap((kind) => [`--${kind}`, path.join(dir, `sample_${kind}.csv`)]);
  const prof = JSON.parse(cli(['profiles', ...files, '--json']).toString());
  await page.click('[data-testid=tab-profiles]');
  await page.click('[data-testid=run-profiles]');
  await page.waitForSelector('[data-testid=profiles-result]', { timeout: 60_000 });
  await page.selectOption('[data-testid=profiles-dimension]', 'province');
  await page.waitForSelector('[data-testid=profiles-dimension-table][data-dimension=province]');
  const rows = prof.dimensions.find((d) => d.dimension === 'province').rows;
  for (const r of [0, rows.length - 2]) {
    await page.locator('[data-testid=profiles-dimension-table] tbody tr').nth(r).locator('[data-testid=profile-row]').click();
    const list = page.locator(`[data-testid=member-list][data-of='{"Profile":{"dimension":"province","row":${r}}}']`);
    await list.waitFor({ timeout: 60_000 });
    assert.equal(Number(await list.getAttribute('data-count')), rows[r].customers, `province ${rows[r].value}`);
    const out = file(`drill-province-${r}.csv`);
    cli(['profiles', ...files, '--members', `province=${rows[r].value}`, '--members-out', out]);
    const dl = await download(page, 'export-members');
    assert.ok(dl.bytes.equals(fs.readFileSync(out)), `province ${rows[r].value} differs from custlens profiles --members-out`);
  }
  await page.locator('[data-testid=member-list]').screenshot({ path: path.join(OUT, 'drill-profile-row.png') });

  // An R × F cell of the sources' orders file (picked for RFM) saved as a tag: every listed customer accounted for.
  const srcOrders = path.join(dir, 'sample_orders.csv');
  const rfmWant = JSON.parse(cli(['rfm', '--orders', srcOrders, '--json']).toString());
  await pick(page, srcOrders);
  for (const c of rfmWant.rf.cells) {
    await page.waitForSelector(`[data-testid=rf-grid] td[data-r="${c.r}"][data-f="${c.f}"][data-customers="${c.customers}"]`, { timeout: 60_000 });
  }
  const rf = rfmWant.rf.cells.find((c) => c.r === 5 && c.f === 1);
  await page.click('[data-testid=rf-grid] td[data-r="5"][data-f="1"] [data-testid=rf-cell]');
  await page.waitForSelector(`[data-testid=member-list][data-of='{"RfCell":{"r":5,"f":1}}'][data-count="${rf.customers}"]`, { timeout: 60_000 });
  const rfTag = 'R5F1';
  await page.fill('[data-testid=save-tag-name]', rfTag);
  await page.click('[data-testid=save-tag]');
  const rfSaved = page.locator(`[data-testid=save-tag-done][data-name="${rfTag}"]`);
  await rfSaved.waitFor({ timeout: 60_000 });
  const rfMatched = Number(await rfSaved.getAttribute('data-customers'));
  assert.equal(rfMatched + Number(await rfSaved.getAttribute('data-unmatched')), rf.customers, 'every customer of the cell accounted for');
  assert.equal(rfMatched, rf.customers, 'the cell\'s customers are customers of the view');
  await page.click('[data-testid=tab-tags]');
  await page.waitForSelector(`[data-testid=tag-coverage] tr[data-tag="${rfTag}"][data-count="${rfMatched}"]`, { timeout: 60_000 });

  // The definitions list the ids: they go out to the admin, not to a role that sees ids as pseudonyms.
  await page.click('[data-testid=tab-tags]');
  const defs = JSON.parse((await download(page, 'tags-export-json')).bytes.toString('utf8'));
  const saved = defs.find((d) => d.name === tag);
  assert.ok(saved && JSON.stringify(saved).includes(`"${cell.ids[0]}"`), 'the admin\'s tags.json lists the ids');
  await page.selectOption('[data-testid=role]', 'marketing');
  let downloaded = false;
  page.on('download', () => { downloaded = true; });
  await page.click('[data-testid=tags-export-json]');
  await page.waitForSelector('[data-testid=tags-import-error]');
  assert.match(await page.textContent('[data-testid=tags-import-error]'), /“市场”/);
  await page.waitForTimeout(500);
  assert.equal(downloaded, false, 'no tags.json for marketing');
  await close();
});

let failed = 0;
for (const t of tests.filter((t) => t.name.includes(filter))) {
  const start = Date.now();
  try {
    await t.fn();
    console.log(`ok   ${t.name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${t.name}\n     ${e.stack || e}`);
  }
}
server.close();
fs.rmSync(WORK, { recursive: true, force: true });
console.log(failed ? `${failed} end-to-end test(s) failed` : 'all end-to-end tests passed');
process.exit(failed ? 1 : 0);
