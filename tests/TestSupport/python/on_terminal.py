#!/usr/bin/env python3
"""Runs a program on a pseudo-terminal and copies everything it shows to stdout; exits with its exit code.

    on_terminal.py PROGRAM [ARG...]

The tests' stand-in for a person at a terminal (stdin, stdout and stderr are the terminal, which is also
the program's controlling terminal). It replaces script(1), which stops reading 10 ms after its child
exits: on a busy machine the kernel had not yet handed the child's last writes to the terminal's reader by
then, and they were lost (CI lost a restore's whole Ctrl+C notice, status and resume line that way). Here
the terminal is read until the kernel says every writer is gone and nothing is left (EIO), which it says
only after the pending writes were delivered.
"""
import errno
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios

# After the program exits, a descendant of it may still hold the terminal open; this much silence ends the copy then.
LINGER_SECONDS = 10


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: on_terminal.py PROGRAM [ARG...]\n")
        return 2
    master, slave = os.openpty()
    # 24 rows of 120 columns: a terminal of a usual size (a new pty has 0 x 0).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))

    def controlling_terminal():
        # In the child, after setsid (start_new_session): the terminal becomes its controlling terminal.
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(argv[1:], stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                             preexec_fn=controlling_terminal, close_fds=True)
    os.close(slave)
    out = sys.stdout.buffer
    exited = False
    while True:
        exited = exited or child.poll() is not None
        ready, _, _ = select.select([master], [], [], LINGER_SECONDS if exited else 1.0)
        if not ready:
            if exited:
                break
            continue
        try:
            data = os.read(master, 65536)
        except OSError as e:
            if e.errno == errno.EIO:
                break  # every writer closed the terminal and all they wrote was read
            raise
        if not data:
            break
        out.write(data)
        out.flush()
    os.close(master)
    code = child.wait()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
