# Unit tests (cmocka, TAP) and integration tests (real containers, as root).
