;; U+0001 marks the names macro expansion renames, so source may not put it in an
;; identifier: such a name once sent the expander to an alias that did not exist.
(write (guard (e ((read-error? e) (error-object-message e)))
         (read (open-input-string "|a\\x1;99999999|"))))
(newline)
(write (guard (e ((read-error? e) (error-object-message e)))
         (read (open-input-string (string #\( #\a (integer->char 1) #\9 #\))))))
(newline)
(write (string->symbol "ok"))
(newline)
