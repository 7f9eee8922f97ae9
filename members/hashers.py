"""A cheaper hash for temporary passwords a secretary prints for a whole cell.

A temporary password lives until its first use: the member must choose their own at once,
and Django re-hashes it with the default (PBKDF2, ~0.3 s) on that login. Hashing forty slips
at the default cost would take twelve seconds of a request.

Checking one still costs as much as checking a normal password: otherwise the time a login
attempt takes would tell an attacker which accounts hold a printed password.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher


class TemporaryPasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_temporary"
    iterations = 20_000

    def verify(self, password, encoded):
        matched = super().verify(password, encoded)
        # Spend what checking a normal password costs (the default hasher, whatever it is).
        default = get_hasher("default")
        default.encode(password, default.salt())
        return matched
