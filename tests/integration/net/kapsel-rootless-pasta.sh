#!/bin/bash
exec "$(dirname "$0")/kapsel-rootless.sh" pasta
