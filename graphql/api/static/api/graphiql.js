// GraphiQL for development (templates/api/graphiql.html; DEBUG only). React,
// ReactDOM and GraphiQL are the standalone builds in /static/graphiql/.
// Queries go to this page's own /graphql/ (subscriptions over its WebSocket).
// The API ignores cookies: put "Authorization: Bearer <token>" in the Headers tab.
(function () {
  'use strict';

  const root = document.getElementById('graphiql');
  if (typeof GraphiQL === 'undefined' || typeof React === 'undefined' || typeof ReactDOM === 'undefined') {
    root.querySelector('.graphiql-missing').textContent =
      'GraphiQL is not built: cd webapp && npm ci && npm run build (copies it into webapp/dist/graphiql/).';
    return;
  }

  const DEFAULT_QUERY = `# GraphiQL on this city's Kanal API.
#
# Public queries need no token; staff and citizen operations want
#   {"Authorization": "Bearer <token>"}
# in the Headers tab below. The documents the apps run are in
# graphql/operations/.
#
# Run: Ctrl-Enter   Complete: Ctrl-Space

query AppConfig {
  appConfig(lang: "id") {
    citySlug
    cityName
    appName
  }
}
`;

  // The editors' contents travel in the URL (?q=…&variables=…), so a query
  // can be shared as a link. Never ?query=: that GET would run the query
  // instead of opening the IDE.
  const parameters = Object.fromEntries(new URLSearchParams(window.location.search));
  function updateURL(changes) {
    Object.assign(parameters, changes);
    const search = new URLSearchParams(
      Object.entries(parameters).filter(([, value]) => Boolean(value)),
    ).toString();
    history.replaceState(null, '', search ? `?${search}` : window.location.pathname);
  }

  const url = new URL(window.location.pathname, window.location.origin);
  const subscriptionUrl = new URL(url);
  subscriptionUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: subscriptionUrl.href });

  function App() {
    return React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: DEFAULT_QUERY,
      query: parameters.q || undefined,
      variables: parameters.variables,
      onEditQuery: (q) => updateURL({ q }),
      onEditVariables: (variables) => updateURL({ variables }),
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(root).render(React.createElement(App));
})();
