from tests.times import HANOI, at

__all__ = ["HANOI", "at"]
