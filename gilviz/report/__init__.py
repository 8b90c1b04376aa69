"""Words: the terminal summaries of runs, comparisons, sweeps and the convoy,
and the phrases the figures share with them, all from analysis results.

    format    durations, intervals, cores, ratios, aligned tables
    words     caveats and band states in words, where a run ran
    battle    the old GIL's battle in figures and words
    summary   summary_sections, summary_lines: a run
    compare   compare_lines: the sides (two to four) and the verdict
    scaling   scaling_lines: a speedup sweep
    convoy    convoy_lines: the convoy
    program   program_lines: a program's run, its exit status
    sharing   comparison_lines: a `gilviz share` job
    progress  a sweep's progress, a line a run
"""

# ruff: noqa: F401  (re-exports: the names the rest of gilviz imports from here)
from .compare import (DIMENSION_NAMES, DIMENSION_SLUGS, SIDE_NAMES, compare_lines,
                      comparison_title, fixed_facts, handoff_cell, side_caveats, side_labels,
                      side_verdict, verdict)
from .convoy import (convoy_case_label, convoy_lines, convoy_warnings, io_thread_ending,
                     requests_phrase)
from .format import (format_cores, format_duration, format_interval, format_table, format_times,
                     plural, short_count)
from .scaling import fit_text, no_fit_text, scaling_lines, sweep_run_labels
from .summary import caveat_lines, comparison_line, summary_lines, worker_table
from .words import (STATE_NAMES, caveat_text, caveat_texts, cores_label, cores_phrase,
                    gil_name, gil_phrase, handover_phrase, interpreter_label, task_phrase,
                    unexplained_speedup)
