package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kworkbook/kworkbook/internal/layout"
	"github.com/kworkbook/kworkbook/internal/progress"
	"github.com/kworkbook/kworkbook/lessons"
)

// lessonState is a lesson's place in the learner's progress.
type lessonState struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Exercises int    `json:"exercises"`
	Done      int    `json:"done"`
	State     string `json:"state"` // done, in progress, not started
	Next      string `json:"next,omitempty"`
}

func stateOf(l *lessons.Lesson, p *progress.Progress) lessonState {
	st := p.Standing(l.ID, l.ExerciseIDs())
	return lessonState{ID: l.ID, Title: l.Title(), Exercises: st.Total, Done: st.Done,
		State: strings.ReplaceAll(st.State, "_", " "), Next: st.Next}
}

func newListCmd(a *app) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the lessons with your progress and the next exercise",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, err := a.lessons()
			if err != nil {
				return err
			}
			p, err := a.loadProgress()
			if err != nil {
				return err
			}
			states := make([]lessonState, len(cat.Lessons))
			for i, l := range cat.Lessons {
				states[i] = stateOf(l, p)
			}
			switch output {
			case "json":
				enc := json.NewEncoder(a.streams.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(states)
			case "", "text", "wide":
			default:
				return &exitError{code: ExitProblem, err: fmt.Errorf("-o %s: use text or json", output)}
			}
			pal := newPalette(a.streams.Out)
			pr := a.p()
			tw := &layout.Table{}
			tw.Row("  "+pr.T("list.lesson"), pr.T("list.title"), pr.T("list.progress"), pr.T("list.next"))
			for _, s := range states {
				mark := "  "
				switch s.State {
				case "done":
					mark = pal.green("✓ ")
				case "in progress":
					mark = pal.yellow("▸ ")
				}
				next := s.Next
				if s.State == "done" {
					next = "-"
				}
				tw.Row(mark+s.ID, s.Title, pr.T("list.state."+strings.ReplaceAll(s.State, " ", "_"), "Done", s.Done, "All", s.Exercises), next)
			}
			if _, err := tw.WriteTo(a.streams.Out); err != nil {
				return err
			}
			fmt.Fprintln(a.streams.Out, "\n"+pr.N("list.footer", len(states)))
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: text or json")
	return cmd
}
