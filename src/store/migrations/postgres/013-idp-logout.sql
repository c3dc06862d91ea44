-- IdP-initiated logout (OpenID Connect Back-Channel and Front-Channel Logout): a sign-in remembers
-- the IdP's session id (`sid`) and subject (`sub`) from its ID token, so a logout_token or a
-- front-channel request naming them finds the sessions to end.
ALTER TABLE sessions ADD COLUMN idp_sid TEXT;
ALTER TABLE sessions ADD COLUMN idp_sub TEXT;
CREATE INDEX sessions_idp_sid_idx ON sessions (idp, idp_sid);
CREATE INDEX sessions_idp_sub_idx ON sessions (idp, idp_sub);
