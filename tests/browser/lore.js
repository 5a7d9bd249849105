// lore.js: lore links opened in Debian's chromium (playwright-core, as
// walk.js): each lands on its page and the browser scrolls to its
// fragment.  Used by tests/t8050-lore-urls.sh:
//
//   node lore.js BASE_URL SCREENSHOT_DIR < LINKS
//
// LINKS has a line "PATH ID NAME" per link: PATH with its fragment (it
// may redirect first: the browser keeps the fragment across a Location
// without one), ID the element the fragment must name (the page's
// :target once loaded), NAME the screenshot's name ("-": none).  Prints
// "ok - ..." / "not ok - ..." lines, four a link: the page loads (200 at
// the end), :target is that element, it is scrolled into the window, and
// nothing goes to the console.
'use strict';
const fs = require('fs');
const path = require('path');
const { check, run } = require('./common.js');

const base = process.argv[2];
const shots = process.argv[3] || '';
const links = fs.readFileSync(0, 'utf8').split('\n').filter((l) => l.trim()).map((l) => l.split(' '));
run('the browser run', async (browser) => {
	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	page.setDefaultTimeout(10000);
	for (const [p, id, name] of links) {
		const problems = [];
		const onConsole = (m) => problems.push(`console ${m.type()}: ${m.text()}`);
		page.on('console', onConsole);
		const short = p.length > 70 ? p.slice(0, 40) + '...' + p.slice(-25) : p;
		let status = 0;
		await check(`${short}: the page loads`, async () => {
			const r = await page.goto(base + p, { waitUntil: 'load' });
			status = r.status();
			if (status !== 200) throw new Error(`status ${status}`);
		});
		await check(`${short}: its fragment names #${id.slice(0, 12)}`, async () => {
			const t = await page.evaluate(() => (document.querySelector(':target') || {}).id || '');
			if (t !== id) throw new Error(`:target is "${t}" (URL ${page.url()})`);
		});
		await check(`${short}: scrolled to it`, async () => {
			const r = await page.evaluate((i) => {
				const e = document.getElementById(i);
				return e ? [e.getBoundingClientRect().top, window.innerHeight] : null;
			}, id);
			if (!r || r[0] < -2 || r[0] > r[1]) throw new Error(`top ${r && r[0]} in a window of ${r && r[1]}`);
		});
		if (shots && name !== '-')
			await page.screenshot({ path: path.join(shots, `${name}.png`), timeout: 30000 });
		await check(`${short}: nothing on the console`, () => {
			if (problems.length) throw new Error(problems.join('\n'));
		});
		page.off('console', onConsole);
	}
});
