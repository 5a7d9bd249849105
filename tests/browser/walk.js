// walk.js: a reader's walk through the archive in Debian's chromium,
// driven by playwright-core (scripts/setup-debian installs it in
// build/node/).  Used by tests/t6100-browser.sh:
//
//   node walk.js START_URL [SCREENSHOT_DIR]
//
// START_URL is the linux-kernel list page of an archive of samples/ (with
// or without a path prefix).  From it: a year (table of years) -> the
// month (its calendar caption) -> a day (its calendar) -> a message ->
// [thread-next>] -> [list], once at desktop size and once as a phone
// (390 pixels wide).  Every page's heading is checked, every link must
// stay under the start URL's prefix, and no request may fail or answer
// >= 400, nothing may go to the console.  Prints "ok - ..." / "not ok -
// ..." lines; with SCREENSHOT_DIR, saves full-page screenshots of the
// list, month and message pages there.
'use strict';
const path = require('path');
const { setLabel, ok, notOk, check, run } = require('./common.js');

const start = process.argv[2];
const shots = process.argv[3] || '';
const prefix = new URL('..', start).href; // http://host:port/[lists/]
setLabel(new URL(prefix).pathname === '/' ? '' : ` (under ${new URL(prefix).pathname})`);
// must DESCRIPTION FN: a check the rest of the walk depends on (a page
// reached): when it fails, the walk stops there.
class Stop extends Error {}
async function must(d, fn) {
	if (!(await check(d, fn))) throw new Stop(d);
}


async function walk(browser, name, contextOptions) {
	const context = await browser.newContext(contextOptions);
	const page = await context.newPage();
	page.setDefaultTimeout(10000);
	page.setDefaultNavigationTimeout(15000);
	const problems = [];
	page.on('console', (m) => problems.push(`console ${m.type()}: ${m.text()}`));
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('requestfailed', (r) =>
		problems.push(`request failed: ${r.url()} (${r.failure() ? r.failure().errorText : '?'})`));
	page.on('request', (r) => {
		if (!r.url().startsWith(prefix)) problems.push(`request outside ${prefix}: ${r.url()}`);
	});
	page.on('response', (r) => {
		if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
	});
	const d = (s) => `${name}: ${s}`;
	// is(WHAT, GOT, WANT): throws, saying what it got, unless GOT is WANT.
	const is = (what, got, want) => {
		if (got !== want) throw new Error(`${what}: got "${got}", want "${want}"`);
	};
	const h1 = async (want) => is('h1', await page.locator('h1').innerText({ timeout: 3000 }), want);
	const title = async (want) => is('title', await page.title(), want);
	const nav = (text) => page.locator('div.nav').getByRole('link', { name: text, exact: true });
	const shot = async (what) => {
		if (!shots) return;
		await page.screenshot({ path: path.join(shots, `${what}-${name}.png`), fullPage: true, timeout: 30000 });
	};
	// Clicks the link, waits for the page it leads to.
	const follow = async (link, want) => {
		await link.click();
		await page.waitForURL(prefix + want, { waitUntil: 'load' });
	};
	// No page's links (nor its stylesheet) may leave the prefix; on a
	// phone, nothing but a message body may be wider than the screen.
	const pageChecks = async (what) => {
		// (The reply instructions of a message page, as lore's, link git's
		// and Wikipedia's pages and a mailto:, besides the raw message.)
		await check(d(`${what}: every link stays under the prefix`), async () => {
			const hrefs = await page.$$eval('a[href], link[href]', (as) => as
				.filter((a) => !(a.closest('pre.reply') && /^(https:|mailto:)/.test(a.getAttribute('href'))))
				.map((a) => a.href));
			const out = hrefs.filter((h) => !h.startsWith(prefix));
			if (hrefs.length === 0 || out.length) throw new Error(`outside: ${out.slice(0, 5).join(' ')}`);
		});
		await check(d(`${what}: the stylesheet applied`), async () =>
			(await page.$eval('.bar', (e) => getComputedStyle(e).backgroundColor)) === 'rgb(242, 242, 242)');
		if (!contextOptions.isMobile) return;
		// A page wider than the screen makes a phone zoom out (and its
		// text tiny): the layout must stay as wide as the screen.
		const screen = contextOptions.viewport.width;
		await check(d(`${what}: no wider than the phone's screen`), async () => {
			const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
			if (w[0] > screen || w[1] > screen) throw new Error(`page ${w[0]} px wide, laid out for ${w[1]} px, screen ${screen} px`);
		});
		await check(d(`${what}: site bar, navigation and heading fit the screen`), async () => {
			const wide = await page.$$eval('.bar, .nav, h1, h2, form.search', (es, sw) => es
				.filter((e) => e.getBoundingClientRect().right > sw + 0.5)
				.map((e) => `${e.tagName.toLowerCase()}.${e.className}`), screen);
			if (wide.length) throw new Error(`too wide: ${wide.join(' ')}`);
		});
		await check(d(`${what}: text at least 12 px`), async () => {
			const small = await page.$$eval('body *', (es) => es
				.filter((e) => e.childNodes.length && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
				.filter((e) => parseFloat(getComputedStyle(e).fontSize) < 12)
				.map((e) => `${e.tagName.toLowerCase()} ${getComputedStyle(e).fontSize}`));
			if (small.length) throw new Error(`small text: ${[...new Set(small)].slice(0, 5).join(', ')}`);
		});
	};

	try {
		await must(d('the list page loads'), async () => {
			const r = await page.goto(start, { waitUntil: 'load' });
			if (r.status() !== 200) throw new Error(`status ${r.status()}`);
		});
		await check(d('list page heading'), () => h1('linux-kernel mailing list'));
		await pageChecks('list page');
		await shot('list');

		await must(d('a year in the table of years leads to the year page'), () =>
			follow(page.locator('table.years').getByRole('link', { name: '2019', exact: true }), 'linux-kernel/2019/'));
		await check(d('year page heading'), () => h1('linux-kernel mailing list - 2019'));

		await must(d('the calendar of May leads to the month page'), () =>
			follow(page.locator('table.cal caption').getByRole('link', { name: 'May', exact: true }),
				'linux-kernel/2019/05/'));
		await check(d('month page heading'), () => h1('linux-kernel mailing list - 2019/05'));
		await check(d('the month page has its calendar'), async () => (await page.locator('table.cal').count()) === 1);
		await pageChecks('month page');
		await shot('month');

		await must(d('day 20 in the calendar leads to the day page'), () =>
			follow(page.locator('table.cal').getByRole('link', { name: '20', exact: true }), 'linux-kernel/2019/05/20/'));
		await check(d('day page heading'), () => h1('linux-kernel mailing list - 2019/05/20'));
		await check(d('the day page says 8 messages'), () => page.getByText('8 messages', { exact: true }).isVisible());

		await must(d('a subject on the day page leads to the message'), () =>
			follow(page.locator('ul.msgs').getByRole('link', { name: '[PATCH v2 3/7] mm: Extend copy_page_range()' }),
				'linux-kernel/2019/05/20/4'));
		await check(d('message page title'), () => title('[PATCH v2 3/7] mm: Extend copy_page_range() - linux-kernel'));
		const msg = page.locator('pre.msg').first();
		await check(d('message page shows the Subject line'), () =>
			msg.getByText('Subject: [PATCH v2 3/7] mm: Extend copy_page_range()').isVisible());
		await check(d('message page shows the body'), async () => {
			const text = await msg.innerText();
			for (const line of ['This allows to copy pages not only to the same addreses',
				'Signed-off-by: Kirill Tkhai <ktkhai@...tuozzo.com>',
				' mm/huge_memory.c        |   30 ++++++---']) {
				if (!text.includes(line)) throw new Error(`missing: ${line}`);
			}
		});
		await check(d('the navigation line is visible'), () => nav('thread-next>').isVisible());
		await pageChecks('message page');
		await shot('message');

		await must(d('[thread-next>] leads to 4/7'), () => follow(nav('thread-next>'), 'linux-kernel/2019/05/20/5'));
		await check(d('thread-next page is 4/7'), async () => {
			await title('[PATCH v2 4/7] mm: Export round_hint_to_min() - linux-kernel');
			return (await msg.innerText()).includes('Subject: [PATCH v2 4/7] mm: Export round_hint_to_min()');
		});

		await must(d('[list] leads back to the list page'), () => follow(nav('list'), 'linux-kernel/'));
		await check(d('list page heading again'), () => h1('linux-kernel mailing list'));

	} catch (e) {
		if (!(e instanceof Stop)) throw e;
	}
	await check(d('no failed request, no console message'), () => {
		if (problems.length) throw new Error(problems.join('\n'));
	});
	await context.close();
}

run('the walk', async (browser) => {
	await walk(browser, 'desktop', { viewport: { width: 1280, height: 900 } });
	await walk(browser, 'phone', {
		viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
	});
}, (version) => ok(`chromium starts (${version})`));
