// What a phone's browser lays out: opens URL in Debian's Chromium at WIDTH x 800 CSS px
// with Accept-Language LANG and prints, as JSON, the document's lang and dir, the
// viewport's width, the document's scroll width, and every element whose box ends past
// the viewport's right edge or starts before its left one (tag, class, its edges).
// Nothing but 127.0.0.1 resolves. Usage: node overflow.mjs URL LANG WIDTH
import { chromium } from "playwright-core";

const [url, lang, width] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
  ],
});
try {
  const context = await browser.newContext({
    viewport: { width: Number(width), height: 800 },
    locale: lang,
    extraHTTPHeaders: { "Accept-Language": lang },
  });
  const page = await context.newPage();
  const response = await page.goto(url, { waitUntil: "load" });
  // Evaluated through the DevTools protocol: the page's CSP (no script) does not apply.
  const layout = await page.evaluate(() => {
    const viewport = document.documentElement.clientWidth;
    const outside = [];
    for (const element of document.querySelectorAll("body *")) {
      const box = element.getBoundingClientRect();
      if (box.width > 0 && (box.right > viewport + 0.5 || box.left < -0.5)) {
        outside.push({
          tag: element.tagName.toLowerCase(),
          class: element.className || null,
          left: box.left,
          right: box.right,
        });
      }
    }
    return {
      lang: document.documentElement.lang,
      dir: document.documentElement.dir,
      viewport,
      scrollWidth: document.documentElement.scrollWidth,
      outside,
    };
  });
  console.log(JSON.stringify({ status: response.status(), ...layout }));
} finally {
  await browser.close();
}
