"""The event log: typed records of one or more runs (records), their
versioned file format (fileformat), and where and how runs are written
(files)."""

from .fileformat import (LOG_FORMAT_VERSION, SUPPORTED_VERSIONS, TABLE_COLUMNS, dumps,
                         empty_table, load, loads, save)
from .files import WriteError, atomic_write, new_run_dir
from .validate import LogError
from .records import (EXIT_STATUS, CONVOY_IO_WORKER, CONVOY_SERVED_MARK, WAIT_MUTEX, WAIT_NOT_READ,
                      WAIT_OTHER, WAIT_RUNNING, WAIT_TIMED, WAIT_UNREADABLE, WAIT_UNTIMED,
                      FLAG_GIL_REQUESTED, FLAG_HAS_GIL, FLAG_ON_CPU, FLAG_UNKNOWN,
                      CoreSamples, FlagReading, GilFlags, Holds, Interpreter, JsonObject,
                      LoadSamples, Marks, ProbeSettings,
                      ProcessSamples, ROLES, Role, RoleName, Run,
                      RunLog, RunSpec, SamplerStats, SweepPlan, ThreadSamples, Worker, new_log,
                      now_iso)

__all__ = [
    "LOG_FORMAT_VERSION", "SUPPORTED_VERSIONS", "TABLE_COLUMNS", "dumps", "empty_table", "load",
    "loads", "save", "EXIT_STATUS", "LogError", "WriteError", "atomic_write", "new_run_dir",
    "CONVOY_IO_WORKER", "CONVOY_SERVED_MARK", "ROLES", "Role", "RoleName",
    "WAIT_MUTEX", "WAIT_NOT_READ", "WAIT_OTHER", "WAIT_RUNNING", "WAIT_TIMED", "WAIT_UNREADABLE",
    "WAIT_UNTIMED", "FLAG_GIL_REQUESTED", "FLAG_HAS_GIL", "FLAG_ON_CPU", "FLAG_UNKNOWN",
    "CoreSamples", "FlagReading", "GilFlags", "Holds", "Interpreter", "JsonObject", "LoadSamples",
    "Marks", "ProbeSettings",
    "ProcessSamples", "Run", "RunLog", "RunSpec", "SamplerStats", "SweepPlan", "ThreadSamples",
    "Worker", "new_log", "now_iso",
]
