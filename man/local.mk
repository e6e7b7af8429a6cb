# man pages: plain roff, one per command (tests/check-man.sh keeps them true
# to each command's --help)
dist_man8_MANS = man/kapsel.8 \
	man/kapsel-spec.8 man/kapsel-create.8 man/kapsel-start.8 man/kapsel-run.8 \
	man/kapsel-state.8 man/kapsel-list.8 man/kapsel-kill.8 man/kapsel-delete.8 \
	man/kapsel-exec.8 man/kapsel-features.8 man/kapsel-image.8 man/kapsel-pause.8 \
	man/kapsel-resume.8 man/kapsel-ps.8 man/kapsel-update.8 man/kapsel-events.8 \
	man/kapsel-checkpoint.8 man/kapsel-restore.8
