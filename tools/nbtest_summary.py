#!/usr/bin/env python
"""Count an `nbdev_test --timing` run from what its workers cannot interleave; print `LABEL: N passed, N failed`.

    nbdev_test --n_workers 2 --timing > LOG 2>&1; python tools/nbtest_summary.py LOG $? [--label nbdev_test]
    python tools/nbtest_summary.py --selftest

Workers write to the same terminal, so their "Starting ..." lines can share a line. What is counted instead: nbdev_test's
exit status; the `X.ipynb: N secs` lines and the list after "nbdev Tests Failed On The Following Notebooks:", both written
by the parent process after every worker has finished; and the notebooks nbdev_test should run (nbdev's own `nbglob`).
Exits 0 only when every expected notebook is known to have passed."""
import re, sys, argparse
from pathlib import Path

FAILED_HEADER = 'nbdev Tests Failed On The Following Notebooks:'

def summarise(log:str, rc:int, expected) -> tuple:
    "`(passed, failed, problem)`: notebook names, and why the count cannot be trusted (or '')"
    exp, problem = set(expected), ''
    timed = set(re.findall(r'^(\S+\.ipynb): \d+ secs$', log, re.M))
    parts = log.split(FAILED_HEADER, 1)
    failed = set(re.findall(r'^\t(\S+\.ipynb)$', parts[1], re.M)) if len(parts) == 2 else set()
    if rc == 0 and not failed:
        if timed != exp: problem = f"exit status 0, but {len(timed)} notebooks timed for {len(exp)} expected: missing {sorted(exp - timed)}, unexpected {sorted(timed - exp)}"
        return sorted(exp & timed), sorted(exp - timed), problem
    if not failed:   # a crash before nbdev_test could list anything: no notebook is known to have passed
        return [], sorted(exp), f"exit status {rc} and no list of failed notebooks"
    if rc == 0: problem = 'failed notebooks listed, yet exit status 0'
    if failed - exp: problem = f"failed notebooks that were not expected: {sorted(failed - exp)}"
    return sorted(exp - failed), sorted(failed), problem

def expected_notebooks() -> list:
    "The notebooks `nbdev_test` runs: nbdev's own list (notebooks under nbs_path, without _ or . names)"
    from nbdev.doclinks import nbglob
    return sorted(Path(p).name for p in nbglob(as_path=True))

def selftest():
    exp = ['00_core.ipynb', '00a_data.ipynb', '01_metadata.ipynb']
    interleaved = ("Starting 00_core.ipynbStarting 00a_data.ipynb\nStarting 01_metadata.ipynb\nSuccess.\n"
                   "01_metadata.ipynb: 9 secs\n00_core.ipynb: 3 secs\n00a_data.ipynb: 2 secs\n")
    assert summarise(interleaved, 0, exp) == (exp, [], ''), summarise(interleaved, 0, exp)
    one_failed = f"Traceback ...\n\n{FAILED_HEADER}\n{'='*50}\n\t00a_data.ipynb\n"
    assert summarise(one_failed, 1, exp) == (['00_core.ipynb', '01_metadata.ipynb'], ['00a_data.ipynb'], '')
    assert summarise('Killed\n', 137, exp)[:2] == ([], exp)
    assert summarise("Success.\n00_core.ipynb: 3 secs\n", 0, exp)[2].startswith('exit status 0, but 1 notebooks timed')
    print('nbtest_summary selftest: 4 passed, 0 failed')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('log', nargs='?', help="nbdev_test's output (stdout and stderr)")
    p.add_argument('rc', nargs='?', type=int, help="nbdev_test's exit status")
    p.add_argument('--label', default='nbdev_test', help='the word before the counts')
    p.add_argument('--selftest', action='store_true')
    a = p.parse_args()
    if a.selftest: selftest(); sys.exit(0)
    passed, failed, problem = summarise(Path(a.log).read_text(errors='replace'), a.rc, expected_notebooks())
    if problem: print(f"{a.label}: {problem}")
    if failed: print(f"{a.label}: failed: {' '.join(failed)}")
    print(f"{a.label}: {len(passed)} passed, {len(failed)} failed")
    sys.exit(1 if failed or problem else 0)
