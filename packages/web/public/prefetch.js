// Starts the dashboard's API requests while the app's bundle is still downloading and parsing.
// A plain script (the CSP allows no inline one): with a stored, unexpired session on the
// dashboard's default view, it fetches exactly the URLs the app asks for first and leaves the
// promises in window.__npPrefetch; the app's API client takes each one once (src/api/prefetch.ts),
// and asks anew for anything else. It never throws: the app works the same without it.
(function () {
  try {
    var session = JSON.parse(localStorage.getItem('nationpulse.session') || 'null');
    if (!session || typeof session.accessToken !== 'string') return;
    if (typeof session.expiresAt === 'number' && session.expiresAt - Date.now() < 30000) return;
    var hash = location.hash.replace(/^#/, '');
    if (hash !== '' && hash !== '/') return;
    var headers = { accept: 'application/json', authorization: 'Bearer ' + session.accessToken };
    var urls = [
      '/api/v1/dashboard/population',
      '/api/v1/dashboard/health',
      '/api/v1/dashboard/gdp',
      '/api/v1/rankings/SP.DYN.LE00.IN?limit=300',
      '/api/v1/auth/me',
      '/api/v1/indicators',
      '/api/v1/countries',
    ];
    var prefetched = {};
    for (var i = 0; i < urls.length; i++) {
      prefetched[urls[i]] = { token: session.accessToken, response: fetch(urls[i], { headers: headers, credentials: 'same-origin' }) };
    }
    window.__npPrefetch = prefetched;
  } catch (e) {
    window.__npPrefetch = undefined;
  }
})();
