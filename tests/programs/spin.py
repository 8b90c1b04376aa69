"""A function to call in several workers: a short countdown."""


def work():
    n = 300_000
    while n > 0:
        n -= 1


if __name__ == "__main__":
    import sys
    import time
    print("spinning", sys.argv[1:])
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
