// pages.js: every page type of an archive of samples/ in Debian's
// chromium (playwright-core, as walk.js): the search box and the feed and
// OpenSearch links of each page, and that they work; axe-core's
// accessibility check in the light and the dark theme; the dark theme's
// colours and a screenshot; the print style; a 320-pixel screen (a diff
// scrolls in its own box, the search help's table stacks); folds,
// diffstat links and the skip link.  Used by tests/t6100-browser.sh:
//
//   node pages.js ROOT_URL [SCREENSHOT_DIR]
//
// ROOT_URL is the archive's root (http://host:port/).  Prints "ok - ..."
// / "not ok - ..." lines, always the same number of them: when axe-core
// is not installed (scripts/setup-debian installs it in build/node), its
// checks print "ok - # SKIP".
'use strict';
const fs = require('fs');
const path = require('path');
const { top, ok, skip, notOk, check, run } = require('./common.js');

const root = process.argv[2];
const shots = process.argv[3] || '';
const axePath = path.join(top, 'build', 'node', 'node_modules', 'axe-core', 'axe.min.js');
const haveAxe = fs.existsSync(axePath);

// A thread of three messages (axe's contrast check takes its time over
// every line of text: a long thread would add a minute).
const MID = '1297638813-1315-1-git-send-email-ccross@android.com';
// The page key of ccross@android.com (topics.c: SHA-1 of the address).
const SENDER = 'fd919e57a84029f1';
const COVER = '155836064844.2441.10911127801797083064.stgit@localhost.localdomain';
// Every page type: its name, path, status, the action of its search box.
const PAGES = [
	['site index', '', 200, '/'],
	['list', 'linux-kernel/', 200, '/linux-kernel/'],
	['year', 'linux-kernel/2019/', 200, '/linux-kernel/'],
	['month', 'linux-kernel/2019/05/', 200, '/linux-kernel/'],
	['day', 'linux-kernel/2019/05/20/', 200, '/linux-kernel/'],
	['message (a patch)', 'linux-kernel/2019/05/20/4', 200, '/linux-kernel/'],
	['message (a reply)', 'linux-kernel/2020/05/09/3', 200, '/linux-kernel/'],
	['Message-ID page', `lkml/${MID}/`, 200, '/lkml/'],
	['thread, flat', `lkml/${MID}/T/`, 200, '/lkml/'],
	['thread, nested', `lkml/${MID}/t/`, 200, '/lkml/'],
	['series', `linux-kernel/${COVER}/s/`, 200, '/linux-kernel/'],
	['latest messages', 'linux-kernel/new.html', 200, '/linux-kernel/'],
	['search results', 'linux-kernel/?q=copy_page_range', 200, '/linux-kernel/'],
	['topics', 'lkml/topics/', 200, '/lkml/'],
	['sender', `lkml/from/${SENDER}/`, 200, '/lkml/'],
	['patch series of a list', 'linux-kernel/series/', 200, '/linux-kernel/'],
	['search help', '_/search-help', 200, '/'],
	['not found', 'linux-kernel/2019/05/20/99', 404, '/'],
	// t6100 adds the list widgets: a patch in two versions, a message
	// hidden (its 410), and an attachment.
	['search help (lore\'s text page)', 'linux-kernel/_/text/help/', 200, '/'],
	['mirror page', 'linux-kernel/_/text/mirror/', 200, '/linux-kernel/'],
	['series changes (v1..v2)', 'widgets/spin-v2@example.org/s/v1..v2/', 200, '/widgets/'],
	['a hidden message (410)', 'widgets/gone-1@example.org/', 410, '/'],
	['attachment page', 'widgets/2024/01/02/1/1/', 200, '/widgets/'],
	['preferences', '_/prefs', 200, '/'],
];

// axe-core's violations of impact serious or critical on the page: all
// its rules, or (colours only) the contrast rule alone, which is all a
// theme changes.
async function axeSerious(page, coloursOnly, inject) {
	if (inject) await page.addScriptTag({ path: axePath });
	const v = await page.evaluate(async (only) => {
		const opts = { resultTypes: ['violations'] };
		if (only) opts.runOnly = ['color-contrast'];
		// eslint-disable-next-line no-undef
		const r = await axe.run(document, opts);
		return r.violations.map((x) => ({
			id: x.id, impact: x.impact, n: x.nodes.length,
			where: x.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', '),
		}));
	}, coloursOnly);
	return v.filter((x) => x.impact === 'serious' || x.impact === 'critical');
}

// Runs fn(page, item) for each item over `tabs` pages of one context at
// once (each page loaded and checked in its own tab), and returns their
// results in the items' order, whatever order they end in.
async function inTabs(context, items, tabs, fn) {
	const out = new Array(items.length);
	let next = 0;
	async function worker() {
		const page = await context.newPage();
		page.setDefaultTimeout(30000);
		while (next < items.length) {
			const i = next++;
			try {
				out[i] = { value: await fn(page, items[i]) };
			} catch (e) {
				out[i] = { error: e };
			}
		}
		await page.close();
	}
	await Promise.all(Array.from({ length: Math.min(tabs, items.length) }, worker));
	return out;
}

// Reports a result of inTabs as check() would have.
function report(d, r) {
	if (r.error) notOk(d, r.error && r.error.message ? r.error.message : r.error);
	else if (r.value === false) notOk(d);
	else ok(d);
}

// Both themes from one load of each page: all of axe's rules in the light
// theme, then the dark one emulated on the same page and axe run again
// for contrast only (all a theme changes), axe injected once.  Pages in
// parallel tabs; the checks print in the order of PAGES, light then dark.
async function themes(browser) {
	const light = (name) => `${name}, light theme: no serious accessibility violation (axe-core)`;
	const dark = (name) => `${name}, dark theme: contrast of at least 4.5:1 everywhere (axe-core)`;
	if (!haveAxe) {
		for (const [name] of PAGES) skip(light(name), 'axe-core is not in build/node');
		for (const [name] of PAGES) skip(dark(name), 'axe-core is not in build/node');
	} else {
		// bypassCSP: the pages' policy allows no script, axe's included.
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', bypassCSP: true });
		const res = await inTabs(context, PAGES, 4, async (page, [, p]) => {
			await page.goto(root + p, { waitUntil: 'load' });
			const two = [];
			for (const scheme of ['light', 'dark']) {
				try {
					await page.emulateMedia({ colorScheme: scheme });
					const bad = await axeSerious(page, scheme === 'dark', scheme === 'light');
					two.push(bad.length ? { error: new Error(bad.map((x) => `${x.id} (${x.impact}, ${x.n}): ${x.where}`).join('\n')) } : { value: true });
				} catch (e) {
					two.push({ error: e });
				}
			}
			return two;
		});
		const part = (i, k) => (res[i].error ? res[i] : res[i].value[k]);
		PAGES.forEach(([name], i) => report(light(name), part(i, 0)));
		PAGES.forEach(([name], i) => report(dark(name), part(i, 1)));
		await context.close();
	}
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	await check('dark theme: the page is dark and the text light', async () => {
		await page.goto(root + PAGES[5][1], { waitUntil: 'load' });
		const c = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor,
			getComputedStyle(document.body).color,
			getComputedStyle(document.querySelector('.d-add')).color]);
		if (c[0] !== 'rgb(22, 22, 22)' || c[1] !== 'rgb(228, 228, 228)' || c[2] !== 'rgb(126, 231, 135)') throw new Error(c.join(' / '));
	});
	await check('dark theme: a screenshot of the message page', async () => {
		if (!shots) return true;
		await page.screenshot({ path: path.join(shots, 'message-dark.png'), fullPage: false });
		await page.goto(root + PAGES[6][1], { waitUntil: 'load' });
		await page.screenshot({ path: path.join(shots, 'reply-dark.png'), fullPage: false });
	});
	await check('print, from the dark theme: black text on white, the diff still marked', async () => {
		await page.goto(root + PAGES[5][1], { waitUntil: 'load' });
		await page.emulateMedia({ media: 'print' });
		const c = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor,
			getComputedStyle(document.body).color,
			getComputedStyle(document.querySelector('.d-add')).color !== getComputedStyle(document.body).color]);
		await page.emulateMedia({ media: 'screen' });
		if (c[0] !== 'rgb(255, 255, 255)' || c[1] !== 'rgb(0, 0, 0)' || !c[2]) throw new Error(c.join(' / '));
	});
	await context.close();
}

async function chrome(browser) {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	// Each page in one of four tabs; the checks print in the order of PAGES.
	const res = await inTabs(context, PAGES, 4, async (tab, [, p, status, action]) => {
		const r = await tab.goto(root + p, { waitUntil: 'load' });
		if (r.status() !== status) throw new Error(`status ${r.status()}`);
		const form = tab.locator('header form.search');
		if (!(await form.locator('input[name=q]').isVisible())) throw new Error('no visible search box');
		const got = await form.getAttribute('action');
		if (got !== action) throw new Error(`the box searches ${got}`);
		if (!(await form.getByRole('link', { name: 'help' }).isVisible())) throw new Error('no help link');
		const feed = await tab.$eval('link[rel=alternate][type="application/atom+xml"]', (l) => l.href);
		const f = await tab.request.get(feed);
		if (f.status() !== 200 || !(await f.text()).includes('<feed xmlns="http://www.w3.org/2005/Atom"')) throw new Error(`feed ${feed}: ${f.status()}`);
		const osd = await tab.$eval('link[rel=search][type="application/opensearchdescription+xml"]', (l) => l.href);
		const o = await tab.request.get(osd);
		const text = await o.text();
		if (o.status() !== 200 || !text.includes(`template="${new URL(action, root).href}?q={searchTerms}"`)) throw new Error(`OpenSearch ${osd}: ${o.status()} ${text.slice(0, 300)}`);
	});
	PAGES.forEach(([name, , , action], i) => report(`${name}: its search box (${action}), feed and OpenSearch links answer`, res[i]));
	// The box works: typed and sent with Enter, from a message and from
	// the site index.
	for (const [from, want] of [[PAGES[5], 'linux-kernel/'], [PAGES[0], '']]) {
		await check(`the search box of the ${from[0]} finds copy_page_range`, async () => {
			await page.goto(root + from[1], { waitUntil: 'load' });
			await page.locator('header form.search input[name=q]').fill('copy_page_range');
			await page.locator('header form.search input[name=q]').press('Enter');
			await page.waitForURL(`${root}${want}?q=copy_page_range`, { waitUntil: 'load' });
			const n = await page.locator('ol.results li').count();
			if (n < 1) throw new Error('no results');
		});
	}
	await check('a diffstat name leads to its file in the diff', async () => {
		await page.goto(root + PAGES[5][1], { waitUntil: 'load' });
		const link = page.locator('.d-stat a', { hasText: 'mm/memory.c' });
		const id = (await link.getAttribute('href')).slice(1);
		await link.click();
		await page.waitForFunction((i) => location.hash === `#${i}`, id);
		const t = await page.evaluate((i) => {
			const e = document.getElementById(i);
			const r = e.getBoundingClientRect();
			return [location.hash, e.textContent, r.bottom > 0 && r.top < window.innerHeight];
		}, id);
		if (t[0] !== `#${id}` || !t[1].startsWith('diff --git a/mm/memory.c') || !t[2]) throw new Error(t.join(' / '));
	});
	await check('a long quote is folded and opens without script; the block above the fold stays', async () => {
		await page.goto(root + PAGES[6][1], { waitUntil: 'load' });
		const d = page.locator('pre.msg details.q').first();
		if (await d.evaluate((e) => e.open)) throw new Error('open at first');
		const inside = d.locator('xpath=./summary/following-sibling::node()[1]');
		await d.locator('summary').click();
		if (!(await d.evaluate((e) => e.open))) throw new Error('did not open');
		return inside !== null;
	});
	await check('the skip link comes first, shows when focused, and leads to the content', async () => {
		await page.goto(root + PAGES[1][1], { waitUntil: 'load' });
		await page.keyboard.press('Tab');
		const f = await page.evaluate(() => {
			const e = document.activeElement;
			const r = e.getBoundingClientRect();
			return [e.className, r.left >= 0 && r.right > 0, getComputedStyle(e).outlineStyle];
		});
		if (f[0] !== 'skiplink' || !f[1] || f[2] === 'none') throw new Error(f.join(' / '));
		await page.keyboard.press('Enter');
		/* (The same-document navigation lands after the key press returns:
		 * wait for it, up to the page's timeout.) */
		await page.waitForFunction(() => location.hash === '#main');
	});
	await context.close();
}

async function narrow(browser) {
	const context = await browser.newContext({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
	const page = await context.newPage();
	page.setDefaultTimeout(15000);
	await check('320 px: the message page fits; its diff keeps its lines and scrolls in its own box', async () => {
		await page.goto(root + PAGES[5][1], { waitUntil: 'load' });
		const m = await page.evaluate(() => {
			const d = document.querySelector('pre.msg .diff');
			return [document.documentElement.scrollWidth, window.innerWidth, getComputedStyle(d).whiteSpace,
				d.scrollWidth > d.clientWidth, getComputedStyle(d).overflowX];
		});
		if (m[0] > 320 || m[1] > 320 || m[2] !== 'pre' || !m[3] || m[4] !== 'auto') throw new Error(m.join(' / '));
		if (shots) await page.screenshot({ path: path.join(shots, 'message-320.png'), fullPage: false });
	});
	await check('320 px: the search help fits, its table one row a block', async () => {
		await page.goto(root + '_/search-help', { waitUntil: 'load' });
		const m = await page.evaluate(() => [document.documentElement.scrollWidth,
			getComputedStyle(document.querySelector('table.help td')).display]);
		if (m[0] > 320 || m[1] !== 'block') throw new Error(m.join(' / '));
		if (shots) await page.screenshot({ path: path.join(shots, 'help-320.png'), fullPage: false });
	});
	await context.close();
}

run('the pages', async (browser) => {
	await chrome(browser);
	await themes(browser);
	await narrow(browser);
});
