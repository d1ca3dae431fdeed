"""`python -m devices.sim`: the farm's command line until `droidledger sim` is wired in."""

import argparse
import sys

from devices.sim.cli import add_arguments, run

parser = argparse.ArgumentParser(prog="python -m devices.sim", description="Run a virtual phone farm.")
add_arguments(parser)
sys.exit(run(parser.parse_args()))
