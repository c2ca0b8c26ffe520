// How the browser tests start Debian's Chromium ($CHROMIUM or /usr/bin/chromium): headless,
// and without the background connections this machine's closed network refuses.
export const LAUNCH = {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
