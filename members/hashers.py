"""A cheaper hash for temporary passwords a secretary prints for a whole cell.

A temporary password lives until its first use: the member must choose their own at once,
and Django re-hashes it with the default (PBKDF2, ~0.3 s) on that login. Hashing forty slips
at the default cost would take twelve seconds of a request.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class TemporaryPasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_temporary"
    iterations = 20_000
