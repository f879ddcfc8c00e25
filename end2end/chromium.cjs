// How every browser run here starts Debian's Chromium (Playwright cannot download
// its own browser on this network): shared by the end-to-end tests and bench/.
module.exports = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
  ],
};
