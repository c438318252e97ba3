/**
 * Said wherever the number of groups is chosen: the automatic choice under-counts folders of many kinds, and a group
 * that mixes two kinds then still looks sure (README, "How good are the groups": calibration with the number chosen).
 */
export function GroupCountHint() {
  return (
    <p className="muted group-count-hint">
      Automatic can choose too few groups when a folder holds many kinds of things; a group may then mix two kinds and
      still look sure. If you know how many kinds there are, give the number.
    </p>
  );
}
