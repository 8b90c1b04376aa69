import sys

from gilviz.cli import main

sys.exit(main())
