"""Language: text normalisation, dates in everyday French, the question recognizer, language
detection, the privacy screen.  Imports the ground, the store and the fact sheet."""
