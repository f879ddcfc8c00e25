// The analytics page's country filter without a page load. The page needs no
// other script, so it loads this one instead of the predict page's WASM bundle.
// Without it (or without JavaScript) the filter is a plain GET form.
const form = document.querySelector("form.filter");
const charts = document.getElementById("charts");

/** Fetches the charts for `country` (empty: all countries) and swaps them in,
 *  then puts the choice in the address bar so a reload or a shared link shows it.
 *  On failure the page keeps the charts it has. */
async function showCountry(country) {
  const query = country ? `?country=${encodeURIComponent(country)}` : "";
  charts.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(`/analytics/charts${query}`);
    if (response.ok) {
      charts.innerHTML = await response.text();
      history.replaceState(null, "", `/analytics${query}`);
    }
  } catch {
    // the server is unreachable: keep what is shown
  } finally {
    charts.setAttribute("aria-busy", "false");
  }
}

if (form && charts) {
  const select = form.querySelector("select");
  form.addEventListener("change", () => showCountry(select.value));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    showCountry(select.value);
  });
}
