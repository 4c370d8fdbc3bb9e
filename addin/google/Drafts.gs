/** Drafts in the sheet (ported next): until then the in-sheet refresh leaves the tab as it is. */
function stockoutDraftsGrid_(plan, existing, language, zone) {
  return null;
}
