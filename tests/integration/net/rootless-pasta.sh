#!/bin/bash
exec "$(dirname "$0")/rootless.sh" pasta
