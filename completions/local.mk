# bash completion (tests/check-completion.sh)
bashcompletiondir = $(BASH_COMPLETION_DIR)
dist_bashcompletion_DATA = completions/kapsel
