// Package userlist implements HAProxy's userlist sections and HTTP Basic
// authentication for the proxy: the `auth` http-request action, the
// `http_auth(NAME)` ACL criterion and the stats page credentials all check
// passwords through this one package.
//
// Passwords are plain text (HAProxy's insecure-password) or crypt(3)
// SHA-512 hashes, "$6$[rounds=N$]SALT$HASH", computed as specified in
// Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"
// (https://www.akkadia.org/drepper/SHA-crypt.txt), the scheme of glibc's
// crypt(3) and of `mkpasswd -m sha-512`. Comparisons are constant-time.
//
// Reference: HAProxy 2.6 configuration manual §3.4 "Userlists"; RFC 7617
// "The 'Basic' HTTP Authentication Scheme".
package userlist
