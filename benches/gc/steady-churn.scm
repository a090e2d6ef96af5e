; A steady state for SECONDS seconds: a cache of 100,000 entries whose entries are
; replaced all the time, among short-lived lists, vectors and strings. Prints the
; largest heap-bytes of each ten seconds, and how the last ten compare with seconds
; 10 to 20.
;   rudo-scheme benches/gc/steady-churn.scm SECONDS
(define seconds (string->number (list-ref (command-line) 1)))
(define (heap-bytes) (cdr (assq 'heap-bytes (gc-stats))))
(define start (current-jiffy))
(define (elapsed) (quotient (- (current-jiffy) start) (jiffies-per-second)))

(define cache (make-vector 100000 '()))
(define (churn i)
  (let loop ((k 0) (l '()))
    (if (< k 200)
        (loop (+ k 1) (cons (make-vector (modulo k 7) k) l))
        (vector-set! cache (modulo (* i 7919) 100000) (list (make-string 20 #\x) (car l))))))

(define windows (make-vector (quotient (+ seconds 9) 10) 0))
(let loop ((i 0))
  (let ((t (elapsed)))
    (when (< t seconds)
      (churn i)
      (let ((w (quotient t 10)))
        (vector-set! windows w (max (vector-ref windows w) (heap-bytes))))
      (loop (+ i 1)))))
(define (mb b) (/ (round (/ b 10485.76)) 100.))
(display (list 'largest-heap-mb-by-10s (map mb (vector->list windows))))
(newline)
(let ((early (vector-ref windows 1)) (late (vector-ref windows (- (vector-length windows) 1))))
  (display (list 'last-10s-against-10-to-20s (/ (round (* 1000. (/ late early))) 1000.)))
  (newline))
