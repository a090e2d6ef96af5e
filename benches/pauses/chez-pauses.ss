; Runs a program under Chez Scheme and writes the pause of every collection to standard
; error, a line "pause MS" each: the collect-request handler times the collection it
; runs.
;   scheme --script chez-pauses.ss PROGRAM ARGS...
(define pauses '())
(collect-request-handler
 (lambda ()
   (let ((start (current-time 'time-monotonic)))
     (collect)
     (let ((d (time-difference (current-time 'time-monotonic) start)))
       (set! pauses (cons (+ (* 1000. (time-second d)) (/ (time-nanosecond d) 1e6)) pauses))))))
(load (cadr (command-line)))
(for-each (lambda (ms)
            (display "pause " (current-error-port))
            (display ms (current-error-port))
            (newline (current-error-port)))
          (reverse pauses))
