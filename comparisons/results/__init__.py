"""How the result page shows a comparison: the facts of the answer (the serializer's data, the
change model of docs/change-model.md) turned into what a person reads — labelled metrics,
sentences, a line diff, a cue table, timelines. Nothing here judges the files again: the
engines' answer is the evidence; this package only lays it out."""
