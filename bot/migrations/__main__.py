import sys

from bot.migrations import main

sys.exit(main())
