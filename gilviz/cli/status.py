"""gilviz's exit statuses: 0 done; 1 a run or a worker failed (the message
says which), or a file could not be written (a full disk: the files written
before it are named); 2 bad usage, nothing measured; 130 interrupted
(Ctrl-C); 143 ended by SIGTERM."""

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 1, 2, 130, 143
