#!/usr/bin/env rudo-scheme
(display "hi")
(newline)
(car 1)
