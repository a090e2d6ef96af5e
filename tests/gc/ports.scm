; Ports under collection: ports the program drops without closing leave the port table
; once a collection finds them dead, while the ports it keeps go on working.
(define small? (member "small" (command-line)))
(define n (if small? 50 50000))
(define kept (open-output-string))
(define (churn i sum)
  (if (= i n)
      sum
      (let ((in (open-input-string (number->string i)))
            (out (open-output-string)))
        (write (read in) out)
        (when (= 0 (modulo i 1000)) (write i kept) (write-char #\space kept))
        (churn (+ i 1) (+ sum (string-length (get-output-string out)))))))
(define sum (churn 0 0))
(collect)
; Opening one more port clears the table of the dead ones.
(define last (open-input-string "last"))
(display (list 'sum sum 'table (%port-table-size) 'kept (string-length (get-output-string kept))
               'last (read last)))
(newline)
