-- Browser sessions of password sign-ins (issue 17): a sign-in survives a reload of the page.
-- grain: one row per signed-in browser session. The page opens it with a one-time ticket; the browser trades
-- the ticket at the server's /auth/session for an HttpOnly cookie holding the session's token. Only sha256
-- hashes of the ticket and the token are stored. Sign-out and the account's removal delete the row.
create table sessions (
    session_id varchar primary key,   -- random; the signed-in tab knows it (to sign out)
    user_name varchar not null,
    ticket_hash varchar,              -- sha256 of the one-time ticket (null once traded for the cookie)
    token_hash varchar,               -- sha256 of the cookie's token (null until the ticket is traded)
    created_at timestamp not null,    -- the sign-in
    expires_at timestamp not null     -- the session ends here (accounts.SESSION_HOURS after the sign-in)
);
