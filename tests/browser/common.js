// common.js: what the browser scripts (pages.js, walk.js, lore.js) share:
// their "ok - ..." / "not ok - ..." lines and checks, playwright-core
// from build/node (scripts/setup-debian installs it there), and a run in
// Debian's headless chromium ($CHROMIUM, else /usr/bin/chromium).
'use strict';
const path = require('path');

const top = path.resolve(__dirname, '..', '..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
let failures = 0;
let label = '';

// Text added to every check's line (walk.js: the path prefix).
function setLabel(l) { label = l; }
function ok(d) { console.log(`ok - ${d}${label}`); }
function skip(d, why) { console.log(`ok - # SKIP ${d}: ${why}`); }
function notOk(d, why) {
	failures++;
	console.log(`not ok - ${d}${label}`);
	// eslint-disable-next-line no-control-regex
	if (why) for (const l of String(why).replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, 8)) console.log(`#   ${l}`);
}
// check DESCRIPTION FN: ok unless FN throws or returns false; says which.
async function check(d, fn) {
	try {
		const r = await fn();
		if (r === false) { notOk(d); return false; }
		ok(d);
		return true;
	} catch (e) {
		notOk(d, e && e.message ? e.message : e);
		return false;
	}
}

let playwright;
try {
	playwright = require(path.join(top, 'build', 'node', 'node_modules', 'playwright-core'));
} catch (e) {
	notOk('playwright-core is installed (scripts/setup-debian installs it in build/node)', e.message);
	process.exit(1);
}

// Starts chromium (started(version) once it runs), then body(browser);
// what names body when it throws.  Closes the browser and exits: 1 if a
// check failed.
function run(what, body, started) {
	(async () => {
		let browser;
		try {
			browser = await playwright.chromium.launch({
				executablePath: chromiumPath,
				headless: true,
				timeout: 30000,
				args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
					'--disable-background-networking', '--disable-component-update', '--disable-sync'],
			});
			if (started) started(browser.version());
		} catch (e) {
			notOk(`chromium starts (${chromiumPath})`, e.message);
			process.exit(1);
		}
		try {
			await body(browser);
		} catch (e) {
			notOk(what, e.stack || e);
		} finally {
			await browser.close();
		}
		process.exit(failures ? 1 : 0);
	})();
}

module.exports = { top, setLabel, ok, skip, notOk, check, run };
