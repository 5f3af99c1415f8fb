import sys

from nixls_assist.cli.main import main

sys.exit(main())
