;; A byte that is not UTF-8 reads as U+FFFD and the REPL goes on; a form the input
;; leaves unfinished is reported, not dropped.
(+ 1 2)
(quote ÿ)
(+ 3 4)
(display "never closed"
