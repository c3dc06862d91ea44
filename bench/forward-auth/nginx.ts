// The nginx front for the forward-auth benchmark: two servers proxying to the same 1 KB backend,
// one asking the jose verifier (the Access bench's auth_request reference), one asking Moatless's
// verify endpoint exactly as deploy/forward-auth/nginx.conf does. Both keep upstream keep-alive.
import { join } from 'node:path';

/** The forward-auth app's host name (nginx passes the client's Host on to the verify call). */
export const FA_HOST = 'fa.bench.localtest.me';

export function nginxConfig(prefix: string, p: { backend: number; jose: number; moatless: number; viaJose: number; viaMoatless: number }): string {
  const t = (n: string) => join(prefix, n);
  return `worker_processes 1;
error_log ${t('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log ${t('access.log')} combined buffer=64k flush=1s;
  client_body_temp_path ${t('body')}; proxy_temp_path ${t('proxy')}; fastcgi_temp_path ${t('fastcgi')};
  uwsgi_temp_path ${t('uwsgi')}; scgi_temp_path ${t('scgi')};
  keepalive_requests 1000000;
  upstream app      { server 127.0.0.1:${p.backend}; keepalive 128; keepalive_requests 1000000; }
  upstream jose     { server 127.0.0.1:${p.jose}; keepalive 128; keepalive_requests 1000000; }
  upstream moatless { server 127.0.0.1:${p.moatless}; keepalive 128; keepalive_requests 1000000; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server {
    listen 127.0.0.1:${p.viaJose};
    location = /_auth {
      internal; proxy_pass http://jose/verify; proxy_pass_request_body off;
      proxy_set_header Content-Length ""; proxy_set_header X-Original-URI $request_uri; proxy_set_header Connection "";
    }
    location / {
      auth_request /_auth; auth_request_set $user $upstream_http_x_auth_user;
      proxy_set_header X-Auth-User $user; proxy_set_header Connection ""; proxy_pass http://app;
    }
  }
  server {
    listen 127.0.0.1:${p.viaMoatless};
    location = /.moatless/verify {
      internal; proxy_pass http://moatless; proxy_pass_request_body off;
      proxy_set_header Content-Length ""; proxy_set_header Connection ""; proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
    }
    location / {
      auth_request /.moatless/verify;
      auth_request_set $moatless_assertion $upstream_http_moatless_jwt_assertion;
      auth_request_set $moatless_user $upstream_http_x_remote_user;
      proxy_set_header Moatless-Jwt-Assertion $moatless_assertion;
      proxy_set_header X-Remote-User $moatless_user;
      proxy_set_header Connection ""; proxy_pass http://app;
    }
  }
}
`;
}
