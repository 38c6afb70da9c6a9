"""Files servicedesk writes for people (reports, exports): private from the first byte.

A report names the enterprises that were missed and their phone numbers, as `export`
and `backup` files do, so every such file is 0600 whatever the umask, also when it
replaces an older, more open file. Standard library only.
"""

import os
import stat


def private_file(path: str | os.PathLike, binary: bool = False, encoding: str = "utf-8"):
    """`path` opened for writing (truncated), mode 0600.

    The mode is set before the old contents go, so a file we may not chmod is refused
    untouched. A FIFO or a device (`--output /dev/stdout.csv` made by the user) is written
    to but never chmod'ed: only regular files are ours to change.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
            os.ftruncate(fd, 0)
        return open(fd, "wb") if binary else open(fd, "w", encoding=encoding, newline="")
    except BaseException:
        os.close(fd)
        raise
