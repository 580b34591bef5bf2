// A real OpenID Connect provider for Bangban's single sign-on tests: panva's certified
// oidc-provider with its development login form (any password is accepted; the typed login is
// the account id). Started by the `oidc_provider` fixture in tests/oidc_provider/fixtures.py:
//
//   node provider.mjs '{"clientId": "...", "clientSecret": "...", "redirectUris": [...],
//                       "postLogoutRedirectUris": [...]}'
//
// It listens on a free port of 127.0.0.1 and prints one JSON line with its issuer, then serves
// until it is killed.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2]);

// The identity platform's own account ids differ from Bangban's user names on purpose: the tests
// prove that Bangban keeps the subject (`sub`) after the first login and maps by it later.
const ACCOUNTS = {
  'u-1001': { preferred_username: 'zhangwei', name: '张伟', staff_number: 'S-1001' },
  'u-1002': { preferred_username: 'lisi', name: '李四', staff_number: 'S-1002' },
  'u-1003': { preferred_username: 'wangwu', name: '王五', staff_number: 'S-1003' },
};

function findAccount(ctx, id) {
  // Every typed login is an account of the platform; only some of them exist in Bangban.
  const claims = ACCOUNTS[id] ?? { preferred_username: id, name: id };
  return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
}

// A first-party client needs no consent screen: grant what it asked for straight away.
async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId
    || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) {
    return ctx.oidc.provider.Grant.find(grantId);
  }
  const grant = new ctx.oidc.provider.Grant({
    clientId: ctx.oidc.client.clientId,
    accountId: ctx.oidc.session.accountId,
  });
  grant.addOIDCScope(ctx.oidc.params.scope);
  await grant.save();
  return grant;
}

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uris: options.redirectUris,
      post_logout_redirect_uris: options.postLogoutRedirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: options.tokenEndpointAuthMethod ?? 'client_secret_post',
    }],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'staff_number'],
    },
    cookies: { keys: ['bangban-tests-only'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    findAccount,
    jwks: { keys: [{ ...signingKey.export({ format: 'jwk' }), kid: 'tests', use: 'sig', alg: 'RS256' }] },
    loadExistingGrant,
    pkce: { methods: ['S256'], required: () => true },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
